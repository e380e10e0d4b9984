;; float32 kernels with 128-bit SIMD for the passes of a training step that are not products:
;; softmax along rows and its gradient, layer normalisation along rows and its gradient, and the
;; tanh form of GELU (gelu_new) and its gradient. The TypeScript kernels (reduce.ts, layernorm.ts,
;; activations.ts) compute the same formulas and stay the reference; rows-wasm.ts copies the
;; operands in chunks of rows into this module's memory, calls it and copies the results out.
;;
;; Layout: byte addresses of dense row-major float32 arrays, each 16-byte aligned. Row kernels take
;; `rows` rows of `width` floats, width a multiple of 4; the elementwise kernels take `vectors`
;; groups of 4 floats (the caller pads the last group).
;; NOTE: gelu_new computes in doubles (two lanes) with the TypeScript kernels' exp (fast-exp.ts), so
;; its float32 results keep the TypeScript kernels' 1-ulp accuracy; softmax and its gradient compute
;; in float32 vectors (four lanes) with an exp of their own, as PyTorch's float32 softmax does,
;; within the bounds their NOTEs derive; layer norm sums in float32 vectors (within float32 rounding
;; of the double sums).
(module
  (memory (export "memory") 1 65536)

  ;; e^x in place over an array of doubles, as expForFloat32 (fast-exp.ts): x = k·ln2 + r, |r| ≤ ln2/2
  ;; (ln 2 in two parts, Cody–Waite), e^r by its degree-8 Taylor polynomial (relative error ~2e-10),
  ;; 2^k built in the exponent bits. k is rounded by adding and subtracting 1.5·2^52, whose sum also
  ;; holds k in its low bits (cheaper than f64x2.nearest and a float-to-int conversion).
  ;; NOTE: x is clamped to [−708, 709] (k stays within the normal exponents), so the result is finite
  ;; and never 0 (e^−708 ≈ 3e−308):
  ;; every caller rounds to float32, where both ends are exact (0 and beyond the float32 range), and
  ;; pmin/pmax keep NaN as NaN.
  ;; NOTE: one call per array, not per vector: V8 does not inline wasm calls, and a call per vector
  ;; cost as much as the polynomial.
  (func $expInPlace (param $at i32) (param $doubles i32)
    (local $end i32) (local $clamped v128) (local $shifted v128) (local $k v128) (local $r v128) (local $p v128)
    (local.set $end (i32.add (local.get $at) (i32.shl (local.get $doubles) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $clamped (f64x2.pmin (f64x2.pmax (v128.load (local.get $at)) (f64x2.splat (f64.const -708))) (f64x2.splat (f64.const 709))))
        (local.set $shifted (f64x2.add (f64x2.mul (local.get $clamped) (f64x2.splat (f64.const 1.4426950408889634))) (f64x2.splat (f64.const 6755399441055744))))
        (local.set $k (f64x2.sub (local.get $shifted) (f64x2.splat (f64.const 6755399441055744))))
        (local.set $r (f64x2.sub
          (f64x2.sub (local.get $clamped) (f64x2.mul (local.get $k) (f64x2.splat (f64.const 0.6931471803691238))))
          (f64x2.mul (local.get $k) (f64x2.splat (f64.const 1.9082149292705877e-10)))))
        (local.set $p (f64x2.splat (f64.const 0x1.a01a01a01a01ap-16)))                                         ;; 1/8!
        (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 0x1.a01a01a01a01ap-13)))) ;; 1/7!
        (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 0x1.6c16c16c16c17p-10)))) ;; 1/6!
        (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 0x1.1111111111111p-7))))  ;; 1/5!
        (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 0x1.5555555555555p-5))))  ;; 1/4!
        (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 0x1.5555555555555p-3))))  ;; 1/3!
        (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 0.5))))
        (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 1))))
        (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 1))))
        ;; · 2^k: k + 1023 in the exponent field (the shifted sum's low bits are k; the shift drops the rest)
        (v128.store (local.get $at) (f64x2.mul (local.get $p)
          (i64x2.shl (i64x2.add (local.get $shifted) (i64x2.splat (i64.const 1023))) (i32.const 52))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $next))))

  (func $sumLanes (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  (func $maxLanes (param $v v128) (result f32)
    (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.max (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; Σ x over the row [x, end)
  (func $rowSum (param $x i32) (param $end i32) (result f32)
    (local $acc v128)
    (loop $next
      (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $x))))
      (br_if $next (i32.lt_u (local.tee $x (i32.add (local.get $x) (i32.const 16))) (local.get $end))))
    (call $sumLanes (local.get $acc)))

  ;; Σ (x − mean)² over the row [x, end)
  (func $rowSquares (param $x i32) (param $end i32) (param $mean v128) (result f32)
    (local $acc v128) (local $centered v128)
    (loop $next
      (local.set $centered (f32x4.sub (v128.load (local.get $x)) (local.get $mean)))
      (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $centered) (local.get $centered))))
      (br_if $next (i32.lt_u (local.tee $x (i32.add (local.get $x) (i32.const 16))) (local.get $end))))
    (call $sumLanes (local.get $acc)))

  ;; `floats` floats (a multiple of 4) from `from` as doubles at `to`.
  (func $promote (param $from i32) (param $to i32) (param $floats i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $from) (i32.shl (local.get $floats) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $from) (local.get $end)))
        (local.set $v (v128.load (local.get $from)))
        (v128.store (local.get $to) (f64x2.promote_low_f32x4 (local.get $v)))
        (v128.store offset=16 (local.get $to)
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
        (local.set $from (i32.add (local.get $from) (i32.const 16)))
        (local.set $to (i32.add (local.get $to) (i32.const 32)))
        (br $next))))

  ;; `floats` doubles (a multiple of 4) from `from` rounded to floats at `to`.
  (func $demote (param $from i32) (param $to i32) (param $floats i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $to) (i32.shl (local.get $floats) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $to) (local.get $end)))
        (v128.store (local.get $to) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (v128.load (local.get $from))) (f32x4.demote_f64x2_zero (v128.load offset=16 (local.get $from)))))
        (local.set $from (i32.add (local.get $from) (i32.const 32)))
        (local.set $to (i32.add (local.get $to) (i32.const 16)))
        (br $next))))

  ;; out = softmax(x) along each row, in float32 vectors: the row's max, then e^(x − max) written
  ;; to `out` while their sum accumulates, then `out` times 1/sum. As the TypeScript kernel: a row of
  ;; all −∞ shifts by 0 (its exps are 0, and 0·(1/0) is NaN), and a row holding NaN gives NaN.
  ;; The exp: d = x − max ≤ 0 is clamped to ≥ −88 (−∞ then gives 0; pmax keeps its first operand
  ;; where either is NaN, so NaN stays NaN), d = k·ln2 + r with |r| ≤ ln2/2 (k rounded by adding and
  ;; subtracting 1.5·2^23, whose sum also holds k in its low bits; ln 2 in two parts, Cody–Waite, the
  ;; first of 9 bits so that k·ln2hi and d − k·ln2hi are exact), e^r by 1 + r + c2·r² + … + c6·r⁶
  ;; (coefficients fitted for the least maximal relative error on |r| ≤ ln2/2, 3e−9, far below float32
  ;; rounding), and 2^k built in the exponent bits.
  ;; NOTE: every float32 d in [−88, 0] was checked against e^d in doubles: within 1.18 ulp wherever
  ;; e^d is a normal float32. Below, d < −87.34 gives k = −127, whose exponent bits make 2^k = 0: a
  ;; weight under 2^−126 (≈ 1.2e−38) may come out 0, off by less than 2^−126.
  ;; NOTE: the max is f32x4.pmax, one instruction where V8 spends several on f32x4.max to propagate
  ;; NaN (with f32x4.max the whole forward took 160 ms instead of 94 per 64 Mi floats, width 4096). A
  ;; NaN that pmax drops still makes every output NaN, through its own exp and the sum. Two running
  ;; maxima, so that each pmax waits on the one before last, not the last (87 → 78 ms).
  ;; NOTE: the sum adds the exps in float32 over blocks of 8 vectors per lane, then the blocks in
  ;; doubles: a block's rounding is ≤ 7u relative (u = 2^−24), where float32 throughout would allow
  ;; up to width/4·u, and it costs a third of converting each vector to doubles (78 → ~65 ms).
  ;; NOTE: float32 accuracy, per element against the softmax of the same inputs in doubles, to first
  ;; order: ≤ (14 + |x − max| + ln width)·u relative (plus 2^−126 absolute, above). The terms: the
  ;; exp's 1.18 ulp (≤ 2.4u); d = x − max rounded to float32, which moves e^d by up to |d|·u (the
  ;; double kernel subtracts exactly; PyTorch's float32 softmax rounds it alike); the sum, off by the
  ;; exps' errors averaged over the weights p: ≤ 2.4u + u·Σ p·|d| ≤ (2.4 + ln width)·u (Σ p·|d| is at
  ;; most the weights' entropy since the sum is ≥ 1), plus its own rounding (≤ 7u); and 1/sum and the
  ;; product rounded to float32 (u each).
  (func (export "softmax") (param $x i32) (param $out i32) (param $rows i32) (param $width i32)
    (local $rowBytes i32) (local $rowEnd i32) (local $blockEnd i32) (local $i i32) (local $o i32) (local $peak f32)
    (local $vector v128) (local $other v128) (local $shift v128) (local $d v128) (local $shifted v128) (local $k v128)
    (local $r v128) (local $p v128) (local $block v128) (local $low v128) (local $high v128) (local $scale v128)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (local.set $rowEnd (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $vector (f32x4.splat (f32.const -inf)))
        (local.set $other (local.get $vector))
        (local.set $i (local.get $x))
        ;; An odd number of vectors: the first alone, then pairs.
        (if (i32.and (local.get $width) (i32.const 4))
          (then
            (local.set $vector (v128.load (local.get $x)))
            (local.set $i (i32.add (local.get $x) (i32.const 16)))))
        (block $maxDone
          (loop $max
            (br_if $maxDone (i32.ge_u (local.get $i) (local.get $rowEnd)))
            (local.set $vector (f32x4.pmax (local.get $vector) (v128.load (local.get $i))))
            (local.set $other (f32x4.pmax (local.get $other) (v128.load offset=16 (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 32)))
            (br $max)))
        (local.set $peak (call $maxLanes (f32x4.pmax (local.get $vector) (local.get $other))))
        (local.set $shift (f32x4.splat (select (f32.const 0) (local.get $peak) (f32.eq (local.get $peak) (f32.const -inf)))))
        (local.set $low (v128.const i32x4 0 0 0 0))
        (local.set $high (v128.const i32x4 0 0 0 0))
        (local.set $i (local.get $x))
        (local.set $o (local.get $out))
        (loop $blocks
          (local.set $blockEnd (i32.add (local.get $i) (i32.const 128)))
          (local.set $blockEnd (select (local.get $rowEnd) (local.get $blockEnd) (i32.gt_u (local.get $blockEnd) (local.get $rowEnd))))
          (local.set $block (v128.const i32x4 0 0 0 0))
          (loop $exp
            (local.set $d (f32x4.pmax (f32x4.sub (v128.load (local.get $i)) (local.get $shift)) (f32x4.splat (f32.const -88))))
            (local.set $shifted (f32x4.add (f32x4.mul (local.get $d) (f32x4.splat (f32.const 0x1.715476p+0))) (f32x4.splat (f32.const 12582912))))
            (local.set $k (f32x4.sub (local.get $shifted) (f32x4.splat (f32.const 12582912))))
            (local.set $r (f32x4.sub
              (f32x4.sub (local.get $d) (f32x4.mul (local.get $k) (f32x4.splat (f32.const 0x1.63p-1))))      ;; ln2hi
              (f32x4.mul (local.get $k) (f32x4.splat (f32.const -0x1.bd0106p-13)))))                       ;; ln 2 − ln2hi
            (local.set $p (f32x4.add (f32x4.mul (f32x4.splat (f32.const 0x1.6a244cp-10)) (local.get $r)) (f32x4.splat (f32.const 0x1.1239d4p-7))))
            (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 0x1.5558f2p-5))))
            (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 0x1.555492p-3))))
            (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 0x1.fffffcp-2))))
            (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1))))
            (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1))))
            ;; · 2^k: k + 127 in the exponent field (the shifted sum's low bits are k; the shift drops the rest)
            (local.set $p (f32x4.mul (local.get $p) (i32x4.shl (i32x4.add (local.get $shifted) (i32x4.splat (i32.const 127))) (i32.const 23))))
            (v128.store (local.get $o) (local.get $p))
            (local.set $block (f32x4.add (local.get $block) (local.get $p)))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br_if $exp (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $blockEnd))))
          (local.set $low (f64x2.add (local.get $low) (f64x2.promote_low_f32x4 (local.get $block))))
          (local.set $high (f64x2.add (local.get $high)
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $block) (local.get $block)))))
          (br_if $blocks (i32.lt_u (local.get $i) (local.get $rowEnd))))
        (local.set $low (f64x2.add (local.get $low) (local.get $high)))
        (local.set $scale (f32x4.splat (f32.demote_f64
          (f64.div (f64.const 1) (f64.add (f64x2.extract_lane 0 (local.get $low)) (f64x2.extract_lane 1 (local.get $low)))))))
        (local.set $rowEnd (local.get $o))
        (local.set $o (local.get $out))
        (loop $normalise
          (v128.store (local.get $o) (f32x4.mul (v128.load (local.get $o)) (local.get $scale)))
          (br_if $normalise (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 16))) (local.get $rowEnd))))
        (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $out (local.get $rowEnd))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))

  ;; out = y ⊙ (dy − dot) along each row for the softmax output y, dot = Σ dy ⊙ y, in float32
  ;; vectors, the products summed in doubles.
  ;; NOTE: float32 accuracy, per element against the gradient of the same inputs in doubles, to first
  ;; order: |error| ≤ 2u·|y|·(|dy − dot| + Σ|dy ⊙ y|), u = 2^−24 (plus 2^−150 where the result is below
  ;; the normal float32 range). The terms: each product y·dy rounded to float32 before the sum
  ;; (u·Σ|dy ⊙ y|), the dot rounded to float32 (u·|dot|), dy − dot and the product with y rounded (u
  ;; each). Where dy ≈ dot the result is small and its relative error large, as in any float32
  ;; softmax gradient. Summing in float32 blocks, as the forward does, took 16 ms instead of 21 per
  ;; 64 Mi floats, of ~190 ms with the copies around it, for a weaker bound: so the products go to
  ;; doubles one by one.
  (func (export "softmaxBackward") (param $y i32) (param $dy i32) (param $out i32) (param $rows i32) (param $width i32)
    (local $rowBytes i32) (local $rowEnd i32) (local $i i32) (local $d i32)
    (local $product v128) (local $low v128) (local $high v128) (local $dot v128)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (local.set $rowEnd (i32.add (local.get $y) (local.get $rowBytes)))
        (local.set $low (v128.const i32x4 0 0 0 0))
        (local.set $high (v128.const i32x4 0 0 0 0))
        (local.set $i (local.get $y))
        (local.set $d (local.get $dy))
        (loop $sum
          (local.set $product (f32x4.mul (v128.load (local.get $i)) (v128.load (local.get $d))))
          (local.set $low (f64x2.add (local.get $low) (f64x2.promote_low_f32x4 (local.get $product))))
          (local.set $high (f64x2.add (local.get $high)
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $product) (local.get $product)))))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (br_if $sum (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $rowEnd))))
        (local.set $low (f64x2.add (local.get $low) (local.get $high)))
        (local.set $dot (f32x4.splat (f32.demote_f64 (f64.add (f64x2.extract_lane 0 (local.get $low)) (f64x2.extract_lane 1 (local.get $low))))))
        (local.set $i (local.get $y))
        (local.set $d (local.get $dy))
        (loop $scale
          (v128.store (local.get $out) (f32x4.mul (v128.load (local.get $i)) (f32x4.sub (v128.load (local.get $d)) (local.get $dot))))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (local.set $out (i32.add (local.get $out) (i32.const 16)))
          (br_if $scale (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $rowEnd))))
        (local.set $y (local.get $rowEnd))
        (local.set $dy (local.get $d))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))

  ;; out = (x − mean)·rstd·weight + bias along each row, rstd = 1/√(biased variance + eps), the
  ;; mean and variance in two passes (as the composition computes them). weight and bias: one row each.
  (func (export "layerNorm") (param $x i32) (param $weight i32) (param $bias i32) (param $out i32) (param $rows i32) (param $width i32) (param $eps f32)
    (local $rowBytes i32) (local $rowEnd i32) (local $i i32) (local $w i32) (local $o i32)
    (local $inverseWidth f32) (local $mean v128) (local $rstd v128)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (local.set $inverseWidth (f32.div (f32.const 1) (f32.convert_i32_u (local.get $width))))
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (local.set $rowEnd (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $mean (f32x4.splat (f32.mul (call $rowSum (local.get $x) (local.get $rowEnd)) (local.get $inverseWidth))))
        (local.set $rstd (f32x4.splat (f32.div (f32.const 1) (f32.sqrt (f32.add
          (f32.mul (call $rowSquares (local.get $x) (local.get $rowEnd) (local.get $mean)) (local.get $inverseWidth))
          (local.get $eps))))))
        (local.set $i (local.get $x))
        (local.set $w (i32.const 0))
        (local.set $o (local.get $out))
        (loop $normalise
          (v128.store (local.get $o) (f32x4.add
            (f32x4.mul (f32x4.mul (f32x4.sub (v128.load (local.get $i)) (local.get $mean)) (local.get $rstd))
              (v128.load (i32.add (local.get $weight) (local.get $w))))
            (v128.load (i32.add (local.get $bias) (local.get $w)))))
          (local.set $w (i32.add (local.get $w) (i32.const 16)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $normalise (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $rowEnd))))
        (local.set $x (local.get $rowEnd))
        (local.set $out (local.get $o))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))

  ;; With x̂ = (x − mean)·rstd and g = dy ⊙ weight, per row: dx = rstd·(g − mean(g) − x̂·mean(g ⊙ x̂));
  ;; and dweight += Σ_rows dy ⊙ x̂, dbias += Σ_rows dy (the caller zeroes them, and sums chunks in doubles).
  (func (export "layerNormBackward")
    (param $x i32) (param $weight i32) (param $dy i32) (param $dx i32) (param $dweight i32) (param $dbias i32)
    (param $rows i32) (param $width i32) (param $eps f32)
    (local $rowBytes i32) (local $rowEnd i32) (local $i i32) (local $w i32) (local $d i32) (local $o i32)
    (local $inverseWidth v128) (local $mean v128) (local $rstd v128) (local $xhat v128) (local $upstream v128) (local $g v128)
    (local $gradTotal v128) (local $gradDot v128) (local $gradMean v128) (local $projection v128)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (local.set $inverseWidth (f32x4.splat (f32.div (f32.const 1) (f32.convert_i32_u (local.get $width)))))
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (local.set $rowEnd (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $mean (f32x4.mul (f32x4.splat (call $rowSum (local.get $x) (local.get $rowEnd))) (local.get $inverseWidth)))
        (local.set $rstd (f32x4.splat (f32.div (f32.const 1) (f32.sqrt (f32.add
          (f32.mul (call $rowSquares (local.get $x) (local.get $rowEnd) (local.get $mean)) (f32x4.extract_lane 0 (local.get $inverseWidth)))
          (local.get $eps))))))
        (local.set $gradTotal (v128.const i32x4 0 0 0 0))
        (local.set $gradDot (v128.const i32x4 0 0 0 0))
        (local.set $i (local.get $x))
        (local.set $w (i32.const 0))
        (local.set $d (local.get $dy))
        (loop $sums
          (local.set $xhat (f32x4.mul (f32x4.sub (v128.load (local.get $i)) (local.get $mean)) (local.get $rstd)))
          (local.set $upstream (v128.load (local.get $d)))
          (local.set $g (f32x4.mul (local.get $upstream) (v128.load (i32.add (local.get $weight) (local.get $w)))))
          (local.set $gradTotal (f32x4.add (local.get $gradTotal) (local.get $g)))
          (local.set $gradDot (f32x4.add (local.get $gradDot) (f32x4.mul (local.get $g) (local.get $xhat))))
          (v128.store (i32.add (local.get $dweight) (local.get $w))
            (f32x4.add (v128.load (i32.add (local.get $dweight) (local.get $w))) (f32x4.mul (local.get $upstream) (local.get $xhat))))
          (v128.store (i32.add (local.get $dbias) (local.get $w))
            (f32x4.add (v128.load (i32.add (local.get $dbias) (local.get $w))) (local.get $upstream)))
          (local.set $w (i32.add (local.get $w) (i32.const 16)))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (br_if $sums (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $rowEnd))))
        (local.set $gradMean (f32x4.mul (f32x4.splat (call $sumLanes (local.get $gradTotal))) (local.get $inverseWidth)))
        (local.set $projection (f32x4.mul (f32x4.splat (call $sumLanes (local.get $gradDot))) (local.get $inverseWidth)))
        (local.set $i (local.get $x))
        (local.set $w (i32.const 0))
        (local.set $d (local.get $dy))
        (local.set $o (local.get $dx))
        (loop $gradient
          (local.set $xhat (f32x4.mul (f32x4.sub (v128.load (local.get $i)) (local.get $mean)) (local.get $rstd)))
          (local.set $g (f32x4.mul (v128.load (local.get $d)) (v128.load (i32.add (local.get $weight) (local.get $w)))))
          (v128.store (local.get $o) (f32x4.mul (local.get $rstd)
            (f32x4.sub (f32x4.sub (local.get $g) (local.get $gradMean)) (f32x4.mul (local.get $xhat) (local.get $projection)))))
          (local.set $w (i32.add (local.get $w) (i32.const 16)))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $gradient (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $rowEnd))))
        (local.set $x (local.get $rowEnd))
        (local.set $dy (local.get $d))
        (local.set $dx (local.get $o))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))

  ;; −2u = −2·√(2/π)(x + 0.044715x³) for the `doubles` doubles at `x`, written at `to`.
  (func $geluNewExponent (param $x i32) (param $to i32) (param $doubles i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $doubles) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $v (v128.load (local.get $x)))
        (v128.store (local.get $to) (f64x2.mul (f64x2.splat (f64.const -1.5957691216057308))
          (f64x2.add (local.get $v) (f64x2.mul (f64x2.splat (f64.const 0.044715)) (f64x2.mul (local.get $v) (f64x2.mul (local.get $v) (local.get $v)))))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $to (i32.add (local.get $to) (i32.const 16)))
        (br $next))))

  ;; gelu_new(x) = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³), as x / (1 + e^(−2u)) (activations.ts
  ;; says why), in doubles: `xs` and `exps` hold 4·vectors doubles each.
  (func (export "geluNew") (param $x i32) (param $out i32) (param $xs i32) (param $exps i32) (param $vectors i32)
    (local $floats i32) (local $i i32) (local $e i32) (local $end i32)
    (local.set $floats (i32.shl (local.get $vectors) (i32.const 2)))
    (call $promote (local.get $x) (local.get $xs) (local.get $floats))
    (call $geluNewExponent (local.get $xs) (local.get $exps) (local.get $floats))
    (call $expInPlace (local.get $exps) (local.get $floats))
    (local.set $i (local.get $xs))
    (local.set $e (local.get $exps))
    (local.set $end (i32.add (local.get $xs) (i32.shl (local.get $floats) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (v128.store (local.get $i) (f64x2.div (v128.load (local.get $i)) (f64x2.add (f64x2.splat (f64.const 1)) (v128.load (local.get $e)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (local.set $e (i32.add (local.get $e) (i32.const 16)))
        (br $next)))
    (call $demote (local.get $xs) (local.get $out) (local.get $floats)))

  ;; out = dy · d/dx x·σ(2u) = dy·(σ + x·2σ²e·u′), e = e^(−2u), σ = 1/(1 + e), in doubles (e stays
  ;; finite, see $expInPlace, so the second term needs no guard). `xs`, `dys` and `exps` hold
  ;; 4·vectors doubles each.
  (func (export "geluNewBackward") (param $x i32) (param $dy i32) (param $out i32) (param $xs i32) (param $dys i32) (param $exps i32) (param $vectors i32)
    (local $floats i32) (local $i i32) (local $d i32) (local $e i32) (local $end i32)
    (local $v v128) (local $v2 v128) (local $exp v128) (local $s v128) (local $slope v128)
    (local.set $floats (i32.shl (local.get $vectors) (i32.const 2)))
    (call $promote (local.get $x) (local.get $xs) (local.get $floats))
    (call $promote (local.get $dy) (local.get $dys) (local.get $floats))
    (call $geluNewExponent (local.get $xs) (local.get $exps) (local.get $floats))
    (call $expInPlace (local.get $exps) (local.get $floats))
    (local.set $i (local.get $xs))
    (local.set $d (local.get $dys))
    (local.set $e (local.get $exps))
    (local.set $end (i32.add (local.get $xs) (i32.shl (local.get $floats) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (local.get $i)))
        (local.set $v2 (f64x2.mul (local.get $v) (local.get $v)))
        (local.set $exp (v128.load (local.get $e)))
        (local.set $s (f64x2.div (f64x2.splat (f64.const 1)) (f64x2.add (f64x2.splat (f64.const 1)) (local.get $exp))))
        (local.set $slope (f64x2.mul (f64x2.mul (f64x2.splat (f64.const 2)) (local.get $s)) (f64x2.mul (local.get $s) (local.get $exp))))
        (v128.store (local.get $d) (f64x2.mul (v128.load (local.get $d)) (f64x2.add (local.get $s)
          (f64x2.mul (f64x2.mul (f64x2.mul (local.get $v) (local.get $slope)) (f64x2.splat (f64.const 0.7978845608028654)))
            (f64x2.add (f64x2.splat (f64.const 1)) (f64x2.mul (f64x2.splat (f64.const 0.134145)) (local.get $v2)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (local.set $e (i32.add (local.get $e) (i32.const 16)))
        (br $next)))
    (call $demote (local.get $dys) (local.get $out) (local.get $floats)))
)
