;; float32 kernels with 128-bit SIMD for the passes of a training step that are not products:
;; softmax along rows and its gradient, layer normalisation along rows and its gradient, and the
;; tanh form of GELU (gelu_new) and its gradient. The TypeScript kernels (reduce.ts, layernorm.ts,
;; activations.ts) compute the same formulas and stay the reference; rows-wasm.ts copies the
;; operands in chunks of rows into this module's memory, calls it and copies the results out.
;;
;; Layout: byte addresses of dense row-major float32 arrays, each 16-byte aligned. Row kernels take
;; `rows` rows of `width` floats, width a multiple of 4; the elementwise kernels take `vectors`
;; groups of 4 floats (the caller pads the last group).
;; NOTE: softmax, gelu_new and their gradients compute in float32 vectors (four lanes) with one exp
;; of their own ($exp), as PyTorch's float32 kernels do, within the bounds their NOTEs derive; layer
;; norm sums in float32 vectors (within float32 rounding of the double sums).
(module
  (memory (export "memory") 1 65536)

  ;; to[i] = e^(from[i] − shift) for `floats` floats (a multiple of 4, at least 4; `from` may be
  ;; `to`), where the caller knows that d = from[i] − shift ≤ 0 (or NaN): softmax's x − max and
  ;; gelu_new's −2|u|. d is clamped to ≥ −88 (−∞ then gives 0; pmax keeps its first operand where
  ;; either is NaN, so NaN stays NaN), d = k·ln2 + r with |r| ≤ ln2/2 (k rounded by adding and
  ;; subtracting 1.5·2^23, whose sum also holds k in its low bits; ln 2 in two parts, Cody–Waite,
  ;; the first of 9 bits so that k·ln2hi and d − k·ln2hi are exact), e^r by 1 + r + c2·r² + … + c6·r⁶
  ;; (coefficients fitted for the least maximal relative error on |r| ≤ ln2/2, 3e−9, far below
  ;; float32 rounding), and 2^k built in the exponent bits. Nothing clamps d above: past 88.7 the
  ;; exponent field would wrap, which no caller reaches.
  ;; NOTE: every float32 d in [−88, 0] was checked against e^d in doubles: within 1.18 ulp (2.36·2^−24
  ;; relative; the worst 1.176, at d ≈ −71.05) wherever e^d is a normal float32; rows-wasm.test.ts
  ;; holds a sweep of them to it. Below, d < −87.68 gives k = −127, whose exponent bits make 2^k = 0:
  ;; a result under 2^−126 (≈ 1.2e−38) may come out 0 or subnormal, off by less than 2^−126.
  ;; NOTE: a pass over an array, not a function per vector (V8 does not inline wasm calls) nor the
  ;; polynomial inline in each kernel's loop: gelu_new's forward took 1.27 ms per 1 Mi floats in
  ;; three passes around this one, 1.49 with the exp inline in one loop (likely its many constants
  ;; and temporaries crowding the 16 vector registers) and 2.14 with a call per vector. The loop
  ;; tests at its end: that one-loop form testing at its start, as the double kernels did, took 2.4.
  (func $exp (param $from i32) (param $to i32) (param $floats i32) (param $shift v128)
    (local $end i32) (local $d v128) (local $shifted v128) (local $k v128) (local $r v128) (local $p v128)
    (local.set $end (i32.add (local.get $from) (i32.shl (local.get $floats) (i32.const 2))))
    (loop $next
      (local.set $d (f32x4.pmax (f32x4.sub (v128.load (local.get $from)) (local.get $shift)) (f32x4.splat (f32.const -88))))
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
      (v128.store (local.get $to) (f32x4.mul (local.get $p) (i32x4.shl (i32x4.add (local.get $shifted) (i32x4.splat (i32.const 127))) (i32.const 23))))
      (local.set $to (i32.add (local.get $to) (i32.const 16)))
      (br_if $next (i32.lt_u (local.tee $from (i32.add (local.get $from) (i32.const 16))) (local.get $end)))))

  ;; $exp with no shift, for rows-wasm.test.ts (which holds it to its NOTE over a sweep of d).
  (func (export "exp") (param $from i32) (param $to i32) (param $floats i32)
    (call $exp (local.get $from) (local.get $to) (local.get $floats) (v128.const i32x4 0 0 0 0)))

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

  ;; out = softmax(x) along each row, in float32 vectors: the row's max, then e^(x − max) written
  ;; to `out` ($exp), their sum, then `out` times 1/sum. As the TypeScript kernel: a row of all −∞
  ;; shifts by 0 (its exps are 0, and 0·(1/0) is NaN), and a row holding NaN gives NaN.
  ;; The exp is $exp's (its NOTE bounds it: within 1.18 ulp where e^(x − max) is a normal float32;
  ;; a weight under 2^−126 (≈ 1.2e−38) may come out 0, off by less than 2^−126).
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
    (local $vector v128) (local $other v128) (local $shift v128) (local $block v128) (local $low v128) (local $high v128) (local $scale v128)
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
        (call $exp (local.get $x) (local.get $out) (local.get $width) (local.get $shift))
        (local.set $low (v128.const i32x4 0 0 0 0))
        (local.set $high (v128.const i32x4 0 0 0 0))
        (local.set $o (local.get $out))
        (local.set $rowEnd (i32.add (local.get $out) (local.get $rowBytes)))
        (loop $blocks
          (local.set $blockEnd (i32.add (local.get $o) (i32.const 128)))
          (local.set $blockEnd (select (local.get $rowEnd) (local.get $blockEnd) (i32.gt_u (local.get $blockEnd) (local.get $rowEnd))))
          (local.set $block (v128.const i32x4 0 0 0 0))
          (loop $sum
            (local.set $block (f32x4.add (local.get $block) (v128.load (local.get $o))))
            (br_if $sum (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 16))) (local.get $blockEnd))))
          (local.set $low (f64x2.add (local.get $low) (f64x2.promote_low_f32x4 (local.get $block))))
          (local.set $high (f64x2.add (local.get $high)
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $block) (local.get $block)))))
          (br_if $blocks (i32.lt_u (local.get $o) (local.get $rowEnd))))
        (local.set $low (f64x2.add (local.get $low) (local.get $high)))
        (local.set $scale (f32x4.splat (f32.demote_f64
          (f64.div (f64.const 1) (f64.add (f64x2.extract_lane 0 (local.get $low)) (f64x2.extract_lane 1 (local.get $low)))))))
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

  ;; gelu_new(x) = x·σ(2u), u = √(2/π)(x + 0.044715x³) (activations.ts says why), in float32
  ;; vectors, with e = e^(−2|u|) ≤ 1 (u is odd in x): σ(2u) = 1/(1 + e) for x ≥ 0 and e/(1 + e) for
  ;; x < 0. The exp's argument is never positive, so e never overflows, and the negative tail keeps
  ;; e's relative accuracy (1 + tanh u would cancel there, and x/(1 + e^(−2u)) needs e^(−2u) up to ∞).
  ;; Three passes over the `vectors` vectors at `x`: d = −2|u| to `out`, e^d in place ($exp), then
  ;; the quotient. x is clamped to ≥ −16 first (pmax keeps NaN): below about −10.8 the result rounds
  ;; to −0 either way, and −∞ would give −∞·0 = NaN. So +∞ gives +∞, −∞ gives −0 and NaN gives NaN.
  ;; NOTE: float32 accuracy, per element against gelu_new of the same input in doubles, to first
  ;; order (u = 2^−24): d carries ≤ 4.6u relative error (x², the constants, two products and a sum
  ;; rounded), which moves e by ≤ 4.6u·|d|, and $exp adds ≤ 2.4u: δe ≤ (4.6|d| + 2.4)u. For x ≥ 0 the
  ;; result x/(1 + e) moves by e/(1 + e)·δe ≤ 1.3u + 1.2u (|d|·e/(1 + e) ≤ 0.28), plus 1 + e and the
  ;; quotient rounded: ≤ 4.5u relative. For x < 0, x·e/(1 + e) moves by δe/(1 + e) ≤ δe, plus three
  ;; roundings: ≤ (4.6|d| + 5.4)u relative, and 2^−122 absolute where e falls below the normal range
  ;; (x < −10.0: $exp's 2^−126 times |x| ≤ 16). Subnormal results add their rounding, 2^−150. |d|
  ;; reaches 87 before e underflows, so at worst ~400u (2.4e−5): exp's conditioning, which no float32
  ;; d escapes (the double kernel's 1 ulp came from a double d; PyTorch's float32 ½x(1 + tanh u)
  ;; cancels to −0 there instead). Every float32 x in [−16, 16], checked outside the repository: at
  ;; most 2.44u for x ≥ 0, ~2.8|d|·u for x < 0.
  (func (export "geluNew") (param $x i32) (param $out i32) (param $vectors i32)
    (local $end i32) (local $i i32) (local $o i32) (local $v v128) (local $e v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $vectors) (i32.const 4))))
    (local.set $i (local.get $x))
    (local.set $o (local.get $out))
    ;; d = −2|u| = −|x|·(2√(2/π) + 2√(2/π)·0.044715·x²)
    (loop $exponent
      (local.set $v (f32x4.pmax (v128.load (local.get $i)) (f32x4.splat (f32.const -16))))
      (v128.store (local.get $o) (f32x4.mul (f32x4.neg (f32x4.abs (local.get $v)))
        (f32x4.add (f32x4.splat (f32.const 0x1.988454p+0)) (f32x4.mul (f32x4.splat (f32.const 0x1.2444f2p-4)) (f32x4.mul (local.get $v) (local.get $v))))))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br_if $exponent (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $end))))
    (call $exp (local.get $out) (local.get $out) (i32.shl (local.get $vectors) (i32.const 2)) (v128.const i32x4 0 0 0 0))
    (local.set $i (local.get $x))
    (local.set $o (local.get $out))
    ;; (x ≥ 0 ? x : x·e) / (1 + e)
    (loop $quotient
      (local.set $v (f32x4.pmax (v128.load (local.get $i)) (f32x4.splat (f32.const -16))))
      (local.set $e (v128.load (local.get $o)))
      (v128.store (local.get $o) (f32x4.div
        (v128.bitselect (f32x4.mul (local.get $v) (local.get $e)) (local.get $v) (f32x4.lt (local.get $v) (f32x4.splat (f32.const 0))))
        (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e))))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br_if $quotient (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $end)))))

  ;; out = dy · d/dx x·σ(2u) = dy·(σ + x·2u′·σ(1 − σ)), 2u′ = 2√(2/π)(1 + 3·0.044715x²), with e, d
  ;; and σ as in geluNew and σ(1 − σ) = s·q for s = 1/(1 + e), q = e·s (σ = s for x ≥ 0, q for x < 0):
  ;; no ∞ and no 0·∞ anywhere. The same passes, with x clamped to [−16, 16] (pmin and pmax keep NaN):
  ;; beyond, the derivative is 1 or 0 in float32, and x²·… would overflow into ∞·0 = NaN.
  ;; NOTE: float32 accuracy, per element against the same formula in doubles, to first order: with
  ;; σ and T = x·2u′·s·q the two terms, |error| ≤ (4.6|d| + 21)·u·|dy|·(|σ| + |T|), plus |dy|·2^−118
  ;; where e falls below the normal range (x < −10.0, where |σ| + |T| < 237·2^−126 and falls with
  ;; e). The terms: δe as in geluNew; s off by ≤ e/(1 + e)·δe + 2u ≤ 4.5u (as geluNew's x ≥ 0), q
  ;; by δe + δs + u, and σ by at most that; 2u′ by ≤ 3.1u, x·2u′ by 4.1u, s·q by δe + 2δs + 2u, T by
  ;; δe + 2δs + 7.1u ≤ δe + 16.1u; then σ + T, and dy times it, rounded (u·|σ + T| each): in all
  ;; ≤ (δe + 18.1u)·(|σ| + |T|) = (4.6|d| + 20.5)u·(|σ| + |T|). For x < 0 the terms have opposite
  ;; signs and cancel where the derivative crosses 0 (x ≈ −0.75), so the bound is on |σ| + |T|, not
  ;; on the result. Every float32 x in [−16, 16] (dy = 1), checked outside the repository: within
  ;; 0.64 of the bound.
  (func (export "geluNewBackward") (param $x i32) (param $dy i32) (param $out i32) (param $vectors i32)
    (local $end i32) (local $i i32) (local $o i32) (local $v v128) (local $v2 v128) (local $s v128) (local $q v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $vectors) (i32.const 4))))
    (local.set $i (local.get $x))
    (local.set $o (local.get $out))
    (loop $exponent
      (local.set $v (f32x4.pmin (f32x4.pmax (v128.load (local.get $i)) (f32x4.splat (f32.const -16))) (f32x4.splat (f32.const 16))))
      (v128.store (local.get $o) (f32x4.mul (f32x4.neg (f32x4.abs (local.get $v)))
        (f32x4.add (f32x4.splat (f32.const 0x1.988454p+0)) (f32x4.mul (f32x4.splat (f32.const 0x1.2444f2p-4)) (f32x4.mul (local.get $v) (local.get $v))))))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br_if $exponent (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $end))))
    (call $exp (local.get $out) (local.get $out) (i32.shl (local.get $vectors) (i32.const 2)) (v128.const i32x4 0 0 0 0))
    (local.set $i (local.get $x))
    (local.set $o (local.get $out))
    ;; dy·((x ≥ 0 ? s : q) + x·(2√(2/π) + 2√(2/π)·3·0.044715·x²)·s·q)
    (loop $derivative
      (local.set $v (f32x4.pmin (f32x4.pmax (v128.load (local.get $i)) (f32x4.splat (f32.const -16))) (f32x4.splat (f32.const 16))))
      (local.set $v2 (f32x4.mul (local.get $v) (local.get $v)))
      (local.set $s (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (v128.load (local.get $o)))))
      (local.set $q (f32x4.mul (v128.load (local.get $o)) (local.get $s)))
      (v128.store (local.get $o) (f32x4.mul (v128.load (local.get $dy))
        (f32x4.add (v128.bitselect (local.get $q) (local.get $s) (f32x4.lt (local.get $v) (f32x4.splat (f32.const 0))))
          (f32x4.mul
            (f32x4.mul (local.get $v) (f32x4.add (f32x4.splat (f32.const 0x1.988454p+0)) (f32x4.mul (f32x4.splat (f32.const 0x1.b6676cp-3)) (local.get $v2))))
            (f32x4.mul (local.get $s) (local.get $q))))))
      (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br_if $derivative (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $end)))))
)
