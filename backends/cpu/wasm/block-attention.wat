;; The fused block-sparse attention of LSG (block-attention.ts is the same in TypeScript), float32,
;; with 128-bit SIMD along the head dimension. Assembled by npm run build:wasm into
;; block-attention-wasm.generated.ts; block-attention-wasm.ts lays out the operands and calls it.
;;
;; Every query row reads its block's keys straight from the bank through the row table, so no
;; gathered (blocks × width × headDim) copy exists. Per row: scores scale·q·k + mask (a causally
;; masked column scores $maskValue), softmax, and the weighted sum of the value rows; the backward
;; recomputes the row's weights instead of keeping (tokens × width) probabilities.
;;
;; Layout (byte addresses; every array dense and row-major, f32 unless said):
;;   q, out, dout, dq: (pairs, tokens, headDim); keys, values, dkeys, dvalues: (pairs, bankRows,
;;   headDim); mask: (pairs, bankRows); rows: i32 (numBlocks, width); weights and scratch: one row
;;   of ⌈width/4⌉·4 floats each. headDim is a multiple of 4.
;; NOTE: sums run in float32, so results agree with the TypeScript kernel (float64 sums) within
;; float32 rounding. exp is a degree-6 polynomial after range reduction (relative error ~2e-7).
(module
  (memory (export "memory") 1 65536)

  ;; Σ a[i]·b[i] over n floats (n a multiple of 4).
  (func $dot (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $acc v128) (local $end i32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br $next)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))

  ;; The four dot products a·b0 … a·b3 over n floats (n a multiple of 4), as one vector: each
  ;; vector of a is loaded once for four rows of b.
  (func $dot4 (param $a i32) (param $b0 i32) (param $b1 i32) (param $b2 i32) (param $b3 i32) (param $n i32) (result v128)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $x v128) (local $end i32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $x (v128.load (local.get $a)))
        (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $x) (v128.load (local.get $b0)))))
        (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $x) (v128.load (local.get $b1)))))
        (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $x) (v128.load (local.get $b2)))))
        (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (local.get $x) (v128.load (local.get $b3)))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b0 (i32.add (local.get $b0) (i32.const 16)))
        (local.set $b1 (i32.add (local.get $b1) (i32.const 16)))
        (local.set $b2 (i32.add (local.get $b2) (i32.const 16)))
        (local.set $b3 (i32.add (local.get $b3) (i32.const 16)))
        (br $next)))
    ;; Transpose-and-add, so that lane i of the result is the sum of acc_i's lanes:
    ;; [a0 b0 a1 b1] + [a2 b2 a3 b3] = [a0+a2, b0+b2, a1+a3, b1+b3] (and the same for c, d), then
    ;; lanes 0, 1 of both plus lanes 2, 3 of both.
    (local.set $acc0 (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $acc0) (local.get $acc1))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $acc0) (local.get $acc1))))
    (local.set $acc2 (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $acc2) (local.get $acc3))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $acc2) (local.get $acc3))))
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $acc0) (local.get $acc2))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $acc0) (local.get $acc2))))

  ;; y[i] += a0·x0[i] + a1·x1[i] + a2·x2[i] + a3·x3[i] over n floats (n a multiple of 4): y is read
  ;; and written once for four rows of x. The weights come as one vector.
  (func $axpy4 (param $y i32) (param $x0 i32) (param $x1 i32) (param $x2 i32) (param $x3 i32) (param $alphas v128) (param $n i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $end i32)
    (local.set $a0 (i32x4.splat (i32x4.extract_lane 0 (local.get $alphas))))
    (local.set $a1 (i32x4.splat (i32x4.extract_lane 1 (local.get $alphas))))
    (local.set $a2 (i32x4.splat (i32x4.extract_lane 2 (local.get $alphas))))
    (local.set $a3 (i32x4.splat (i32x4.extract_lane 3 (local.get $alphas))))
    (local.set $end (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $y) (local.get $end)))
        (v128.store (local.get $y) (f32x4.add (v128.load (local.get $y)) (f32x4.add
          (f32x4.add (f32x4.mul (local.get $a0) (v128.load (local.get $x0))) (f32x4.mul (local.get $a1) (v128.load (local.get $x1))))
          (f32x4.add (f32x4.mul (local.get $a2) (v128.load (local.get $x2))) (f32x4.mul (local.get $a3) (v128.load (local.get $x3)))))))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $x0 (i32.add (local.get $x0) (i32.const 16)))
        (local.set $x1 (i32.add (local.get $x1) (i32.const 16)))
        (local.set $x2 (i32.add (local.get $x2) (i32.const 16)))
        (local.set $x3 (i32.add (local.get $x3) (i32.const 16)))
        (br $next)))
  )

  ;; y[i] += alpha·x[i] over n floats (n a multiple of 4).
  (func $axpy (param $y i32) (param $x i32) (param $alpha f32) (param $n i32)
    (local $splat v128) (local $end i32)
    (local.set $splat (f32x4.splat (local.get $alpha)))
    (local.set $end (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $y) (local.get $end)))
        (v128.store (local.get $y) (f32x4.add (v128.load (local.get $y)) (f32x4.mul (local.get $splat) (v128.load (local.get $x)))))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br $next)))
  )

  ;; e^x lane by lane: x = n·ln2 + r, |r| ≤ ln2/2, e^r by its Taylor polynomial to r⁶, 2^n from the
  ;; exponent bits. Below -87 (where 2^n leaves the normal range) the result is 0, as e^x rounds to
  ;; in float32 at the softmax's scale; -inf gives 0 too.
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128) (local $tiny v128)
    (local.set $tiny (f32x4.lt (local.get $x) (f32x4.splat (f32.const -87))))
    (local.set $x (f32x4.max (local.get $x) (f32x4.splat (f32.const -87))))
    (local.set $x (f32x4.min (local.get $x) (f32x4.splat (f32.const 88))))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504088896341)))))
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $r (f32x4.add (local.get $r) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 2.12194440e-4)))))
    (local.set $p (f32x4.splat (f32.const 1.38888889e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 8.33333333e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.16666667e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.66666667e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 0.5))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1))))
    (local.set $p (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32x4.splat (i32.const 127))) (i32.const 23))))
    (v128.andnot (local.get $p) (local.get $tiny)))

  ;; The softmax weights of one query row into $weights (⌈width/4⌉·4 floats; the padding lanes get 0).
  (func $rowWeights
    (param $query i32) (param $keys i32) (param $mask i32) (param $rowTable i32) (param $weights i32)
    (param $width i32) (param $headDim i32) (param $firstHidden i32) (param $scale f32) (param $maskValue f32)
    (local $column i32) (local $bankRow i32) (local $score f32) (local $max f32) (local $at i32) (local $end i32)
    (local $sum v128) (local $splat v128) (local $total f32)
    (local $row0 i32) (local $row1 i32) (local $row2 i32) (local $row3 i32) (local $scores v128) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $headDim) (i32.const 2)))
    (local.set $max (f32.const -inf))
    ;; Four columns at a time while all four are visible (before the causal cut-off).
    (block $quadsDone
      (loop $quads
        (br_if $quadsDone (i32.gt_u (i32.add (local.get $column) (i32.const 4)) (local.get $firstHidden)))
        (local.set $at (i32.add (local.get $rowTable) (i32.shl (local.get $column) (i32.const 2))))
        (local.set $row0 (i32.load (local.get $at)))
        (local.set $row1 (i32.load offset=4 (local.get $at)))
        (local.set $row2 (i32.load offset=8 (local.get $at)))
        (local.set $row3 (i32.load offset=12 (local.get $at)))
        (local.set $scores (f32x4.add
          (f32x4.mul (f32x4.splat (local.get $scale)) (call $dot4 (local.get $query)
            (i32.add (local.get $keys) (i32.mul (local.get $row0) (local.get $rowBytes)))
            (i32.add (local.get $keys) (i32.mul (local.get $row1) (local.get $rowBytes)))
            (i32.add (local.get $keys) (i32.mul (local.get $row2) (local.get $rowBytes)))
            (i32.add (local.get $keys) (i32.mul (local.get $row3) (local.get $rowBytes)))
            (local.get $headDim)))
          (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1
            (f32x4.splat (f32.load (i32.add (local.get $mask) (i32.shl (local.get $row0) (i32.const 2)))))
            (f32.load (i32.add (local.get $mask) (i32.shl (local.get $row1) (i32.const 2)))))
            (f32.load (i32.add (local.get $mask) (i32.shl (local.get $row2) (i32.const 2)))))
            (f32.load (i32.add (local.get $mask) (i32.shl (local.get $row3) (i32.const 2)))))))
        (v128.store (i32.add (local.get $weights) (i32.shl (local.get $column) (i32.const 2))) (local.get $scores))
        (local.set $max (f32.max (local.get $max) (f32.max
          (f32.max (f32x4.extract_lane 0 (local.get $scores)) (f32x4.extract_lane 1 (local.get $scores)))
          (f32.max (f32x4.extract_lane 2 (local.get $scores)) (f32x4.extract_lane 3 (local.get $scores))))))
        (local.set $column (i32.add (local.get $column) (i32.const 4)))
        (br $quads)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $column) (local.get $width)))
        (if (i32.ge_u (local.get $column) (local.get $firstHidden))
          (then (local.set $score (local.get $maskValue)))
          (else
            (local.set $bankRow (i32.load (i32.add (local.get $rowTable) (i32.shl (local.get $column) (i32.const 2)))))
            (local.set $score (f32.add
              (f32.mul (local.get $scale)
                (call $dot (local.get $query) (i32.add (local.get $keys) (i32.shl (i32.mul (local.get $bankRow) (local.get $headDim)) (i32.const 2))) (local.get $headDim)))
              (f32.load (i32.add (local.get $mask) (i32.shl (local.get $bankRow) (i32.const 2))))))))
        (f32.store (i32.add (local.get $weights) (i32.shl (local.get $column) (i32.const 2))) (local.get $score))
        (local.set $max (f32.max (local.get $max) (local.get $score)))
        (local.set $column (i32.add (local.get $column) (i32.const 1)))
        (br $next)))
    ;; Padding lanes score -inf: their weight is 0.
    (block $padded
      (loop $pad
        (br_if $padded (i32.eqz (i32.and (local.get $column) (i32.const 3))))
        (f32.store (i32.add (local.get $weights) (i32.shl (local.get $column) (i32.const 2))) (f32.const -inf))
        (local.set $column (i32.add (local.get $column) (i32.const 1)))
        (br $pad)))
    (local.set $end (i32.add (local.get $weights) (i32.shl (local.get $column) (i32.const 2))))
    (local.set $splat (f32x4.splat (local.get $max)))
    (local.set $at (local.get $weights))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (v128.store (local.get $at) (call $exp4 (f32x4.sub (v128.load (local.get $at)) (local.get $splat))))
        (local.set $sum (f32x4.add (local.get $sum) (v128.load (local.get $at))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $next)))
    (local.set $total (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $sum)) (f32x4.extract_lane 1 (local.get $sum)))
      (f32.add (f32x4.extract_lane 2 (local.get $sum)) (f32x4.extract_lane 3 (local.get $sum)))))
    (local.set $splat (f32x4.splat (f32.div (f32.const 1) (local.get $total))))
    (local.set $at (local.get $weights))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (v128.store (local.get $at) (f32x4.mul (v128.load (local.get $at)) (local.get $splat)))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $next)))
  )

  ;; Where row $row of block $block of pair $pair starts: (pair·tokens + block·blockSize + row)·headDim floats.
  (func $tokenAt (param $base i32) (param $pair i32) (param $tokens i32) (param $block i32) (param $blockSize i32) (param $row i32) (param $headDim i32) (result i32)
    (i32.add (local.get $base) (i32.shl
      (i32.mul (i32.add (i32.mul (local.get $pair) (local.get $tokens)) (i32.add (i32.mul (local.get $block) (local.get $blockSize)) (local.get $row))) (local.get $headDim))
      (i32.const 2))))

  ;; Forward over pairs [pairStart, pairEnd): out = softmax(scale·q·kᵀ + mask) v per query row.
  (func (export "forward")
    (param $q i32) (param $keys i32) (param $values i32) (param $mask i32) (param $rows i32) (param $out i32) (param $weights i32)
    (param $pairStart i32) (param $pairEnd i32) (param $tokens i32) (param $bankRows i32) (param $headDim i32)
    (param $numBlocks i32) (param $blockSize i32) (param $width i32) (param $isCausal i32) (param $scale f32) (param $maskValue f32)
    (local $pair i32) (local $block i32) (local $row i32) (local $column i32) (local $outRow i32) (local $query i32)
    (local $pairKeys i32) (local $pairValues i32) (local $pairMask i32) (local $rowTable i32) (local $firstHidden i32) (local $weight f32)
    (local $bankBytes i32) (local $rowBytes i32) (local $at i32)
    (local.set $rowBytes (i32.shl (local.get $headDim) (i32.const 2)))
    (local.set $bankBytes (i32.mul (local.get $bankRows) (local.get $rowBytes)))
    (local.set $pair (local.get $pairStart))
    (block $pairsDone (loop $pairs
      (br_if $pairsDone (i32.ge_u (local.get $pair) (local.get $pairEnd)))
      (local.set $pairKeys (i32.add (local.get $keys) (i32.mul (local.get $pair) (local.get $bankBytes))))
      (local.set $pairValues (i32.add (local.get $values) (i32.mul (local.get $pair) (local.get $bankBytes))))
      (local.set $pairMask (i32.add (local.get $mask) (i32.shl (i32.mul (local.get $pair) (local.get $bankRows)) (i32.const 2))))
      (local.set $block (i32.const 0))
      (block $blocksDone (loop $blocks
        (br_if $blocksDone (i32.ge_u (local.get $block) (local.get $numBlocks)))
        (local.set $rowTable (i32.add (local.get $rows) (i32.shl (i32.mul (local.get $block) (local.get $width)) (i32.const 2))))
        (local.set $row (i32.const 0))
        (block $rowsDone (loop $queryRows
          (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $blockSize)))
          (local.set $query (call $tokenAt (local.get $q) (local.get $pair) (local.get $tokens) (local.get $block) (local.get $blockSize) (local.get $row) (local.get $headDim)))
          (local.set $outRow (call $tokenAt (local.get $out) (local.get $pair) (local.get $tokens) (local.get $block) (local.get $blockSize) (local.get $row) (local.get $headDim)))
          (local.set $firstHidden (select
            (i32.add (i32.sub (local.get $width) (local.get $blockSize)) (i32.add (local.get $row) (i32.const 1)))
            (local.get $width)
            (local.get $isCausal)))
          (call $rowWeights (local.get $query) (local.get $pairKeys) (local.get $pairMask) (local.get $rowTable) (local.get $weights)
            (local.get $width) (local.get $headDim) (local.get $firstHidden) (local.get $scale) (local.get $maskValue))
          (memory.fill (local.get $outRow) (i32.const 0) (local.get $rowBytes))
          (local.set $column (i32.const 0))
          (block $quadsDone (loop $quads
            (br_if $quadsDone (i32.gt_u (i32.add (local.get $column) (i32.const 4)) (local.get $width)))
            (local.set $at (i32.add (local.get $rowTable) (i32.shl (local.get $column) (i32.const 2))))
            (call $axpy4 (local.get $outRow)
              (i32.add (local.get $pairValues) (i32.mul (i32.load (local.get $at)) (local.get $rowBytes)))
              (i32.add (local.get $pairValues) (i32.mul (i32.load offset=4 (local.get $at)) (local.get $rowBytes)))
              (i32.add (local.get $pairValues) (i32.mul (i32.load offset=8 (local.get $at)) (local.get $rowBytes)))
              (i32.add (local.get $pairValues) (i32.mul (i32.load offset=12 (local.get $at)) (local.get $rowBytes)))
              (v128.load (i32.add (local.get $weights) (i32.shl (local.get $column) (i32.const 2))))
              (local.get $headDim))
            (local.set $column (i32.add (local.get $column) (i32.const 4)))
            (br $quads)))
          (block $columnsDone (loop $columns
            (br_if $columnsDone (i32.ge_u (local.get $column) (local.get $width)))
            (local.set $weight (f32.load (i32.add (local.get $weights) (i32.shl (local.get $column) (i32.const 2)))))
            (if (f32.ne (local.get $weight) (f32.const 0))
              (then (call $axpy (local.get $outRow)
                (i32.add (local.get $pairValues) (i32.mul (i32.load (i32.add (local.get $rowTable) (i32.shl (local.get $column) (i32.const 2)))) (local.get $rowBytes)))
                (local.get $weight) (local.get $headDim))))
            (local.set $column (i32.add (local.get $column) (i32.const 1)))
            (br $columns)))
          (local.set $row (i32.add (local.get $row) (i32.const 1)))
          (br $queryRows)))
        (local.set $block (i32.add (local.get $block) (i32.const 1)))
        (br $blocks)))
      (local.set $pair (i32.add (local.get $pair) (i32.const 1)))
      (br $pairs)))
  )

  ;; Backward over pairs [pairStart, pairEnd), adding into dq, dkeys and dvalues (zeroed by the
  ;; caller): per row, with p the weights and δ = dO·O, ds_c = scale·p_c·(dO·v_c − δ) (0 on a
  ;; causally masked column); dq += ds_c k_c, dk_c += ds_c q, dv_c += p_c dO.
  (func (export "backward")
    (param $q i32) (param $keys i32) (param $values i32) (param $mask i32) (param $rows i32) (param $out i32) (param $dout i32)
    (param $dq i32) (param $dkeys i32) (param $dvalues i32) (param $weights i32) (param $scratch i32)
    (param $pairStart i32) (param $pairEnd i32) (param $tokens i32) (param $bankRows i32) (param $headDim i32)
    (param $numBlocks i32) (param $blockSize i32) (param $width i32) (param $isCausal i32) (param $scale f32) (param $maskValue f32)
    (local $pair i32) (local $block i32) (local $row i32) (local $column i32) (local $query i32) (local $gradRow i32) (local $queryGrad i32)
    (local $pairKeys i32) (local $pairValues i32) (local $pairMask i32) (local $pairKeyGrads i32) (local $pairValueGrads i32)
    (local $rowTable i32) (local $firstHidden i32) (local $weight f32) (local $rowDot f32) (local $scoreGrad f32) (local $offset i32)
    (local $bankBytes i32) (local $rowBytes i32) (local $at i32)
    (local.set $rowBytes (i32.shl (local.get $headDim) (i32.const 2)))
    (local.set $bankBytes (i32.mul (local.get $bankRows) (local.get $rowBytes)))
    (local.set $pair (local.get $pairStart))
    (block $pairsDone (loop $pairs
      (br_if $pairsDone (i32.ge_u (local.get $pair) (local.get $pairEnd)))
      (local.set $pairKeys (i32.add (local.get $keys) (i32.mul (local.get $pair) (local.get $bankBytes))))
      (local.set $pairValues (i32.add (local.get $values) (i32.mul (local.get $pair) (local.get $bankBytes))))
      (local.set $pairKeyGrads (i32.add (local.get $dkeys) (i32.mul (local.get $pair) (local.get $bankBytes))))
      (local.set $pairValueGrads (i32.add (local.get $dvalues) (i32.mul (local.get $pair) (local.get $bankBytes))))
      (local.set $pairMask (i32.add (local.get $mask) (i32.shl (i32.mul (local.get $pair) (local.get $bankRows)) (i32.const 2))))
      (local.set $block (i32.const 0))
      (block $blocksDone (loop $blocks
        (br_if $blocksDone (i32.ge_u (local.get $block) (local.get $numBlocks)))
        (local.set $rowTable (i32.add (local.get $rows) (i32.shl (i32.mul (local.get $block) (local.get $width)) (i32.const 2))))
        (local.set $row (i32.const 0))
        (block $rowsDone (loop $queryRows
          (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $blockSize)))
          (local.set $query (call $tokenAt (local.get $q) (local.get $pair) (local.get $tokens) (local.get $block) (local.get $blockSize) (local.get $row) (local.get $headDim)))
          (local.set $gradRow (call $tokenAt (local.get $dout) (local.get $pair) (local.get $tokens) (local.get $block) (local.get $blockSize) (local.get $row) (local.get $headDim)))
          (local.set $queryGrad (call $tokenAt (local.get $dq) (local.get $pair) (local.get $tokens) (local.get $block) (local.get $blockSize) (local.get $row) (local.get $headDim)))
          (local.set $rowDot (call $dot (local.get $gradRow)
            (call $tokenAt (local.get $out) (local.get $pair) (local.get $tokens) (local.get $block) (local.get $blockSize) (local.get $row) (local.get $headDim))
            (local.get $headDim)))
          (local.set $firstHidden (select
            (i32.add (i32.sub (local.get $width) (local.get $blockSize)) (i32.add (local.get $row) (i32.const 1)))
            (local.get $width)
            (local.get $isCausal)))
          (call $rowWeights (local.get $query) (local.get $pairKeys) (local.get $pairMask) (local.get $rowTable) (local.get $weights)
            (local.get $width) (local.get $headDim) (local.get $firstHidden) (local.get $scale) (local.get $maskValue))
          ;; dO·v_c for the visible columns into $scratch, four at a time.
          (local.set $column (i32.const 0))
          (block $quadsDone (loop $quads
            (br_if $quadsDone (i32.gt_u (i32.add (local.get $column) (i32.const 4)) (local.get $firstHidden)))
            (local.set $at (i32.add (local.get $rowTable) (i32.shl (local.get $column) (i32.const 2))))
            (v128.store (i32.add (local.get $scratch) (i32.shl (local.get $column) (i32.const 2)))
              (call $dot4 (local.get $gradRow)
                (i32.add (local.get $pairValues) (i32.mul (i32.load (local.get $at)) (local.get $rowBytes)))
                (i32.add (local.get $pairValues) (i32.mul (i32.load offset=4 (local.get $at)) (local.get $rowBytes)))
                (i32.add (local.get $pairValues) (i32.mul (i32.load offset=8 (local.get $at)) (local.get $rowBytes)))
                (i32.add (local.get $pairValues) (i32.mul (i32.load offset=12 (local.get $at)) (local.get $rowBytes)))
                (local.get $headDim)))
            (local.set $column (i32.add (local.get $column) (i32.const 4)))
            (br $quads)))
          (block $onesDone (loop $ones
            (br_if $onesDone (i32.ge_u (local.get $column) (local.get $firstHidden)))
            (f32.store (i32.add (local.get $scratch) (i32.shl (local.get $column) (i32.const 2)))
              (call $dot (local.get $gradRow)
                (i32.add (local.get $pairValues) (i32.mul (i32.load (i32.add (local.get $rowTable) (i32.shl (local.get $column) (i32.const 2)))) (local.get $rowBytes)))
                (local.get $headDim)))
            (local.set $column (i32.add (local.get $column) (i32.const 1)))
            (br $ones)))
          (local.set $column (i32.const 0))
          (block $columnsDone (loop $columns
            (br_if $columnsDone (i32.ge_u (local.get $column) (local.get $width)))
            (local.set $weight (f32.load (i32.add (local.get $weights) (i32.shl (local.get $column) (i32.const 2)))))
            (local.set $offset (i32.mul (i32.load (i32.add (local.get $rowTable) (i32.shl (local.get $column) (i32.const 2)))) (local.get $rowBytes)))
            (if (f32.ne (local.get $weight) (f32.const 0))
              (then
                (call $axpy (i32.add (local.get $pairValueGrads) (local.get $offset)) (local.get $gradRow) (local.get $weight) (local.get $headDim))
                (if (i32.lt_u (local.get $column) (local.get $firstHidden))
                  (then
                    (local.set $scoreGrad (f32.mul (f32.mul (local.get $scale) (local.get $weight))
                      (f32.sub (f32.load (i32.add (local.get $scratch) (i32.shl (local.get $column) (i32.const 2)))) (local.get $rowDot))))
                    (call $axpy (local.get $queryGrad) (i32.add (local.get $pairKeys) (local.get $offset)) (local.get $scoreGrad) (local.get $headDim))
                    (call $axpy (i32.add (local.get $pairKeyGrads) (local.get $offset)) (local.get $query) (local.get $scoreGrad) (local.get $headDim))))))
            (local.set $column (i32.add (local.get $column) (i32.const 1)))
            (br $columns)))
          (local.set $row (i32.add (local.get $row) (i32.const 1)))
          (br $queryRows)))
        (local.set $block (i32.add (local.get $block) (i32.const 1)))
        (br $blocks)))
      (local.set $pair (i32.add (local.get $pair) (i32.const 1)))
      (br $pairs)))
  )
)
