;; The fused block-sparse attention of LSG (block-attention.ts is the same in TypeScript), float32,
;; with 128-bit SIMD. Assembled by npm run build:wasm into block-attention-wasm.generated.ts;
;; block-attention-wasm.ts lays out the operands and calls it.
;;
;; Every query block reads its keys straight from the bank through the row table, so no gathered
;; (blocks × width × headDim) copy exists. A block's queries run in chunks of up to 32 rows; per
;; chunk the products are small matrix products with register tiles of 4 × 8 (8 f32x4
;; accumulators, as matmul.wat: 64 flops per 6 loads, and no spill on x86-64 or arm64):
;;   sᵀ (width × chunk) = keys · queriesᵀ, then pᵀ = softmax down each column of sᵀ, then
;;   out = p · values; the backward takes pᵀ as the forward kept it (the forward copies each chunk's
;;   pᵀ out when asked: see $weights) or recomputes it, then runs dpᵀ = values · doutᵀ,
;;   dsᵀ = scale · pᵀ ∘ (dpᵀ − dout·out per column), dq = ds · keys, dkeys += dsᵀ · queries,
;;   dvalues += pᵀ · dout (p and ds read from their transposed arrays by strides).
;; Scores are kept transposed (a key per row, a query per lane) so that the softmax of four
;; queries is one vector walk down the keys, with no sums across lanes. The chunk's queries (and
;; output gradients) are the only operands copied, transposed; the banks are read in place, a row
;; at a time, through address tables.
;;
;; Edges: a product's rows are padded to a multiple of 4 through its address tables: read-only
;; padding points at a zero row, written padding at a trash row, so every tile runs the same loop
;; and nothing past the edge is stored anywhere else. headDim is a multiple of 4 (a tail of 4
;; columns after the tiles of 8).
;;
;; Layout (byte addresses; every array dense and row-major, f32 unless said):
;;   q, out, dout, dq: (pairs, tokens, headDim); keys, values, dkeys, dvalues: (pairs, bankRows,
;;   headDim); mask: (pairs, bankRows); rows: i32 (numBlocks, width), one table for every pair, or
;;   (pairs, numBlocks, width), a table per pair ($pairRowsBytes apart: 0 or numBlocks·width·4);
;;   scratch: scratchBytes(width, headDim) bytes, carved by $carve.
;; NOTE: sums run in float32 (multiply then add, never fused: no relaxed SIMD, which Node 20 runs
;; only behind a flag), so results agree with the TypeScript kernel (float64 sums) within float32
;; rounding. exp is a degree-6 polynomial after range reduction (relative error ~2e-7).
(module
  (memory (export "memory") 1 65536)

  ;; Query rows per chunk: a multiple of 8 (the tile's query width).
  (global $chunkRows i32 (i32.const 32))
  ;; The scratch areas of the current call, set by $carve.
  (global $zeroRow (mut i32) (i32.const 0))      ;; headDim zeros: what padded rows read
  (global $trashRow (mut i32) (i32.const 0))     ;; headDim floats: where padded rows write
  (global $keyRows (mut i32) (i32.const 0))      ;; i32 addresses of the block's key rows (⌈width/4⌉·4)
  (global $valueRows (mut i32) (i32.const 0))    ;; … of its value rows
  (global $keyGradRows (mut i32) (i32.const 0))  ;; … of its key-gradient rows
  (global $valueGradRows (mut i32) (i32.const 0));; … of its value-gradient rows
  (global $maskRow (mut i32) (i32.const 0))      ;; f32 mask of the block's keys (width)
  (global $queryRows (mut i32) (i32.const 0))    ;; i32 addresses of the chunk's query rows (chunkRows)
  (global $gradRows (mut i32) (i32.const 0))     ;; … of its output-gradient rows
  (global $outRows (mut i32) (i32.const 0))      ;; … of its output rows
  (global $queryGradRows (mut i32) (i32.const 0));; … of its query-gradient rows
  (global $rowDots (mut i32) (i32.const 0))      ;; f32 dout·out per chunk row (chunkRows)
  (global $queriesT (mut i32) (i32.const 0))     ;; the chunk's queries transposed (headDim × chunkRows)
  (global $gradsT (mut i32) (i32.const 0))       ;; its output gradients transposed
  (global $scoresT (mut i32) (i32.const 0))      ;; scores, then probabilities (⌈width/4⌉·4 × chunkRows)
  (global $scoreGradsT (mut i32) (i32.const 0))  ;; dp, then ds

  ;; Sets the scratch globals for a block width and head dimension; returns the bytes they span.
  (func $carve (param $at i32) (param $width i32) (param $headDim i32) (result i32)
    (local $start i32) (local $rowBytes i32) (local $tableBytes i32) (local $chunkBytes i32)
    (local.set $start (local.get $at))
    (local.set $rowBytes (i32.shl (local.get $headDim) (i32.const 2)))
    (local.set $tableBytes (i32.shl (i32.and (i32.add (local.get $width) (i32.const 3)) (i32.const -4)) (i32.const 2)))
    (local.set $chunkBytes (i32.shl (global.get $chunkRows) (i32.const 2)))
    (global.set $zeroRow (local.get $at)) (local.set $at (i32.add (local.get $at) (local.get $rowBytes)))
    (global.set $trashRow (local.get $at)) (local.set $at (i32.add (local.get $at) (local.get $rowBytes)))
    (global.set $keyRows (local.get $at)) (local.set $at (i32.add (local.get $at) (local.get $tableBytes)))
    (global.set $valueRows (local.get $at)) (local.set $at (i32.add (local.get $at) (local.get $tableBytes)))
    (global.set $keyGradRows (local.get $at)) (local.set $at (i32.add (local.get $at) (local.get $tableBytes)))
    (global.set $valueGradRows (local.get $at)) (local.set $at (i32.add (local.get $at) (local.get $tableBytes)))
    (global.set $maskRow (local.get $at)) (local.set $at (i32.add (local.get $at) (local.get $tableBytes)))
    (global.set $queryRows (local.get $at)) (local.set $at (i32.add (local.get $at) (local.get $chunkBytes)))
    (global.set $gradRows (local.get $at)) (local.set $at (i32.add (local.get $at) (local.get $chunkBytes)))
    (global.set $outRows (local.get $at)) (local.set $at (i32.add (local.get $at) (local.get $chunkBytes)))
    (global.set $queryGradRows (local.get $at)) (local.set $at (i32.add (local.get $at) (local.get $chunkBytes)))
    (global.set $rowDots (local.get $at)) (local.set $at (i32.add (local.get $at) (local.get $chunkBytes)))
    (global.set $queriesT (local.get $at)) (local.set $at (i32.add (local.get $at) (i32.mul (local.get $rowBytes) (global.get $chunkRows))))
    (global.set $gradsT (local.get $at)) (local.set $at (i32.add (local.get $at) (i32.mul (local.get $rowBytes) (global.get $chunkRows))))
    (global.set $scoresT (local.get $at)) (local.set $at (i32.add (local.get $at) (i32.mul (local.get $tableBytes) (global.get $chunkRows))))
    (global.set $scoreGradsT (local.get $at)) (local.set $at (i32.add (local.get $at) (i32.mul (local.get $tableBytes) (global.get $chunkRows))))
    (i32.sub (local.get $at) (local.get $start)))

  ;; The scratch bytes forward and backward need for this block width and head dimension.
  (func (export "scratchBytes") (param $width i32) (param $headDim i32) (result i32)
    (call $carve (i32.const 0) (local.get $width) (local.get $headDim)))

  ;; The bytes of one chunk's probabilities as the forward keeps them: pᵀ, ⌈width/4⌉·4 × chunkRows.
  (func $chunkWeightBytes (param $width i32) (result i32)
    (i32.mul (i32.shl (i32.and (i32.add (local.get $width) (i32.const 3)) (i32.const -4)) (i32.const 2)) (global.get $chunkRows)))

  ;; The bytes the forward keeps per query block (its chunks' pᵀ, in order) for the backward.
  (func $weightBytesPerBlock (export "weightBytesPerBlock") (param $blockSize i32) (param $width i32) (result i32)
    (i32.mul (call $chunkWeightBytes (local.get $width))
      (i32.div_u (i32.add (local.get $blockSize) (i32.sub (global.get $chunkRows) (i32.const 1))) (global.get $chunkRows))))

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

  ;; The address table of a block's bank rows: $table[c] = $base + rows[c]·rowBytes for c < width,
  ;; then $pad up to the next multiple of 4.
  (func $bankTable (param $table i32) (param $base i32) (param $rowTable i32) (param $width i32) (param $rowBytes i32) (param $pad i32)
    (local $column i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $column) (local.get $width)))
      (i32.store (i32.add (local.get $table) (i32.shl (local.get $column) (i32.const 2)))
        (i32.add (local.get $base) (i32.mul (i32.load (i32.add (local.get $rowTable) (i32.shl (local.get $column) (i32.const 2)))) (local.get $rowBytes))))
      (local.set $column (i32.add (local.get $column) (i32.const 1)))
      (br $next)))
    (call $padTable (local.get $table) (local.get $width) (local.get $pad)))

  ;; The address table of $count consecutive rows from $first, then $pad up to a multiple of 4.
  (func $tokenTable (param $table i32) (param $first i32) (param $count i32) (param $rowBytes i32) (param $pad i32)
    (local $row i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $row) (local.get $count)))
      (i32.store (i32.add (local.get $table) (i32.shl (local.get $row) (i32.const 2)))
        (i32.add (local.get $first) (i32.mul (local.get $row) (local.get $rowBytes))))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $next)))
    (call $padTable (local.get $table) (local.get $count) (local.get $pad)))

  (func $padTable (param $table i32) (param $from i32) (param $pad i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (i32.and (local.get $from) (i32.const 3))))
      (i32.store (i32.add (local.get $table) (i32.shl (local.get $from) (i32.const 2))) (local.get $pad))
      (local.set $from (i32.add (local.get $from) (i32.const 1)))
      (br $next))))

  ;; $count consecutive rows of headDim floats from $first, transposed into $dst (headDim × chunkRows;
  ;; columns past $count are 0).
  (func $transposeRows (param $dst i32) (param $first i32) (param $count i32) (param $headDim i32)
    (local $row i32) (local $d i32) (local $from i32) (local $to i32) (local $stride i32)
    (local.set $stride (i32.shl (global.get $chunkRows) (i32.const 2)))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $row) (global.get $chunkRows)))
      (local.set $from (i32.add (local.get $first) (i32.mul (local.get $row) (i32.shl (local.get $headDim) (i32.const 2)))))
      (local.set $to (i32.add (local.get $dst) (i32.shl (local.get $row) (i32.const 2))))
      (local.set $d (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $d) (local.get $headDim)))
        (if (i32.lt_u (local.get $row) (local.get $count))
          (then (f32.store (local.get $to) (f32.load (local.get $from))))
          (else (f32.store (local.get $to) (f32.const 0))))
        (local.set $from (i32.add (local.get $from) (i32.const 4)))
        (local.set $to (i32.add (local.get $to) (local.get $stride)))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (br $next)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows))))

  ;; out[m][n] = Σ_d A[m][d] · Bᵀ[d][n] for m < $rows4 (a multiple of 4) and n < $columns8 (a
  ;; multiple of 8, at most chunkRows): A's row m at the address $table[m], Bᵀ at $bT (headDim ×
  ;; chunkRows), out (rows4 × chunkRows). A 4 × 8 tile per pass, over d one float at a time.
  (func $scoreTiles (param $table i32) (param $rows4 i32) (param $bT i32) (param $columns8 i32) (param $headDim i32) (param $out i32)
    (local $m i32) (local $n i32) (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $offset i32) (local $end i32) (local $b i32) (local $stride i32) (local $at i32)
    (local $x0 v128) (local $x1 v128) (local $s v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $stride (i32.shl (global.get $chunkRows) (i32.const 2)))
    (local.set $end (i32.shl (local.get $headDim) (i32.const 2)))
    (block $rowsDone (loop $rowQuads
      (br_if $rowsDone (i32.ge_u (local.get $m) (local.get $rows4)))
      (local.set $at (i32.add (local.get $table) (i32.shl (local.get $m) (i32.const 2))))
      (local.set $a0 (i32.load (local.get $at)))
      (local.set $a1 (i32.load offset=4 (local.get $at)))
      (local.set $a2 (i32.load offset=8 (local.get $at)))
      (local.set $a3 (i32.load offset=12 (local.get $at)))
      (local.set $n (i32.const 0))
      (block $columnsDone (loop $columnOctets
        (br_if $columnsDone (i32.ge_u (local.get $n) (local.get $columns8)))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
        (local.set $b (i32.add (local.get $bT) (i32.shl (local.get $n) (i32.const 2))))
        (local.set $offset (i32.const 0))
        (block $done (loop $depth
          (br_if $done (i32.ge_u (local.get $offset) (local.get $end)))
          (local.set $x0 (v128.load (local.get $b)))
          (local.set $x1 (v128.load offset=16 (local.get $b)))
          (local.set $s (v128.load32_splat (i32.add (local.get $a0) (local.get $offset))))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $x0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $x1))))
          (local.set $s (v128.load32_splat (i32.add (local.get $a1) (local.get $offset))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $x0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $x1))))
          (local.set $s (v128.load32_splat (i32.add (local.get $a2) (local.get $offset))))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $x0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $x1))))
          (local.set $s (v128.load32_splat (i32.add (local.get $a3) (local.get $offset))))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $x0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $x1))))
          (local.set $offset (i32.add (local.get $offset) (i32.const 4)))
          (local.set $b (i32.add (local.get $b) (local.get $stride)))
          (br $depth)))
        (local.set $at (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $m) (global.get $chunkRows)) (local.get $n)) (i32.const 2))))
        (v128.store (local.get $at) (local.get $c00))
        (v128.store offset=16 (local.get $at) (local.get $c01))
        (local.set $at (i32.add (local.get $at) (local.get $stride)))
        (v128.store (local.get $at) (local.get $c10))
        (v128.store offset=16 (local.get $at) (local.get $c11))
        (local.set $at (i32.add (local.get $at) (local.get $stride)))
        (v128.store (local.get $at) (local.get $c20))
        (v128.store offset=16 (local.get $at) (local.get $c21))
        (local.set $at (i32.add (local.get $at) (local.get $stride)))
        (v128.store (local.get $at) (local.get $c30))
        (v128.store offset=16 (local.get $at) (local.get $c31))
        (local.set $n (i32.add (local.get $n) (i32.const 8)))
        (br $columnOctets)))
      (local.set $m (i32.add (local.get $m) (i32.const 4)))
      (br $rowQuads))))

  ;; out[$outTable[m]] (+)= Σ_{k < $depth} A(m, k) · B[$bTable[k]] over headDim columns, for
  ;; m < $rows4 (a multiple of 4), with A(m, k) at $a + m·$aRowBytes + k·$aStepBytes; adds to the
  ;; rows when $accumulate, else stores. A 4 × 8 tile per pass (then 4 × 4 for a tail of 4
  ;; columns), over k. Each row's sum is added before the next row is read, so repeated output
  ;; rows add up.
  (func $rowsProduct
    (param $a i32) (param $aRowBytes i32) (param $aStepBytes i32) (param $bTable i32) (param $depth i32)
    (param $outTable i32) (param $rows4 i32) (param $headDim i32) (param $accumulate i32)
    (local $m i32) (local $column i32) (local $columnEnd i32) (local $at i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $ak i32) (local $row1 i32) (local $row2 i32) (local $row3 i32) (local $t i32) (local $tEnd i32) (local $b i32)
    (local $x0 v128) (local $x1 v128) (local $s v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $columnEnd (i32.shl (local.get $headDim) (i32.const 2)))
    (local.set $row1 (local.get $aRowBytes))
    (local.set $row2 (i32.shl (local.get $aRowBytes) (i32.const 1)))
    (local.set $row3 (i32.mul (local.get $aRowBytes) (i32.const 3)))
    (local.set $tEnd (i32.add (local.get $bTable) (i32.shl (local.get $depth) (i32.const 2))))
    (block $rowsDone (loop $rowQuads
      (br_if $rowsDone (i32.ge_u (local.get $m) (local.get $rows4)))
      (local.set $at (i32.add (local.get $outTable) (i32.shl (local.get $m) (i32.const 2))))
      (local.set $o0 (i32.load (local.get $at)))
      (local.set $o1 (i32.load offset=4 (local.get $at)))
      (local.set $o2 (i32.load offset=8 (local.get $at)))
      (local.set $o3 (i32.load offset=12 (local.get $at)))
      (local.set $column (i32.const 0))
      ;; Tiles of 8 columns (32 bytes).
      (block $octetsDone (loop $octets
        (br_if $octetsDone (i32.gt_u (i32.add (local.get $column) (i32.const 32)) (local.get $columnEnd)))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
        (local.set $ak (i32.add (local.get $a) (i32.mul (local.get $m) (local.get $aRowBytes))))
        (local.set $t (local.get $bTable))
        (block $done (loop $steps
          (br_if $done (i32.ge_u (local.get $t) (local.get $tEnd)))
          (local.set $b (i32.add (i32.load (local.get $t)) (local.get $column)))
          (local.set $x0 (v128.load (local.get $b)))
          (local.set $x1 (v128.load offset=16 (local.get $b)))
          (local.set $s (v128.load32_splat (local.get $ak)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $x0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $x1))))
          (local.set $s (v128.load32_splat (i32.add (local.get $ak) (local.get $row1))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $x0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $x1))))
          (local.set $s (v128.load32_splat (i32.add (local.get $ak) (local.get $row2))))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $x0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $x1))))
          (local.set $s (v128.load32_splat (i32.add (local.get $ak) (local.get $row3))))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $x0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $x1))))
          (local.set $ak (i32.add (local.get $ak) (local.get $aStepBytes)))
          (local.set $t (i32.add (local.get $t) (i32.const 4)))
          (br $steps)))
        (if (local.get $accumulate)
          (then
            (local.set $c00 (f32x4.add (local.get $c00) (v128.load (i32.add (local.get $o0) (local.get $column)))))
            (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (i32.add (local.get $o0) (local.get $column)))))))
        (v128.store (i32.add (local.get $o0) (local.get $column)) (local.get $c00))
        (v128.store offset=16 (i32.add (local.get $o0) (local.get $column)) (local.get $c01))
        (if (local.get $accumulate)
          (then
            (local.set $c10 (f32x4.add (local.get $c10) (v128.load (i32.add (local.get $o1) (local.get $column)))))
            (local.set $c11 (f32x4.add (local.get $c11) (v128.load offset=16 (i32.add (local.get $o1) (local.get $column)))))))
        (v128.store (i32.add (local.get $o1) (local.get $column)) (local.get $c10))
        (v128.store offset=16 (i32.add (local.get $o1) (local.get $column)) (local.get $c11))
        (if (local.get $accumulate)
          (then
            (local.set $c20 (f32x4.add (local.get $c20) (v128.load (i32.add (local.get $o2) (local.get $column)))))
            (local.set $c21 (f32x4.add (local.get $c21) (v128.load offset=16 (i32.add (local.get $o2) (local.get $column)))))))
        (v128.store (i32.add (local.get $o2) (local.get $column)) (local.get $c20))
        (v128.store offset=16 (i32.add (local.get $o2) (local.get $column)) (local.get $c21))
        (if (local.get $accumulate)
          (then
            (local.set $c30 (f32x4.add (local.get $c30) (v128.load (i32.add (local.get $o3) (local.get $column)))))
            (local.set $c31 (f32x4.add (local.get $c31) (v128.load offset=16 (i32.add (local.get $o3) (local.get $column)))))))
        (v128.store (i32.add (local.get $o3) (local.get $column)) (local.get $c30))
        (v128.store offset=16 (i32.add (local.get $o3) (local.get $column)) (local.get $c31))
        (local.set $column (i32.add (local.get $column) (i32.const 32)))
        (br $octets)))
      ;; A tail of 4 columns.
      (if (i32.lt_u (local.get $column) (local.get $columnEnd))
        (then
          (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c10 (v128.const i32x4 0 0 0 0))
          (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c30 (v128.const i32x4 0 0 0 0))
          (local.set $ak (i32.add (local.get $a) (i32.mul (local.get $m) (local.get $aRowBytes))))
          (local.set $t (local.get $bTable))
          (block $done (loop $steps
            (br_if $done (i32.ge_u (local.get $t) (local.get $tEnd)))
            (local.set $x0 (v128.load (i32.add (i32.load (local.get $t)) (local.get $column))))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (v128.load32_splat (local.get $ak)) (local.get $x0))))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (v128.load32_splat (i32.add (local.get $ak) (local.get $row1))) (local.get $x0))))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (v128.load32_splat (i32.add (local.get $ak) (local.get $row2))) (local.get $x0))))
            (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (v128.load32_splat (i32.add (local.get $ak) (local.get $row3))) (local.get $x0))))
            (local.set $ak (i32.add (local.get $ak) (local.get $aStepBytes)))
            (local.set $t (i32.add (local.get $t) (i32.const 4)))
            (br $steps)))
          (if (local.get $accumulate)
            (then (local.set $c00 (f32x4.add (local.get $c00) (v128.load (i32.add (local.get $o0) (local.get $column)))))))
          (v128.store (i32.add (local.get $o0) (local.get $column)) (local.get $c00))
          (if (local.get $accumulate)
            (then (local.set $c10 (f32x4.add (local.get $c10) (v128.load (i32.add (local.get $o1) (local.get $column)))))))
          (v128.store (i32.add (local.get $o1) (local.get $column)) (local.get $c10))
          (if (local.get $accumulate)
            (then (local.set $c20 (f32x4.add (local.get $c20) (v128.load (i32.add (local.get $o2) (local.get $column)))))))
          (v128.store (i32.add (local.get $o2) (local.get $column)) (local.get $c20))
          (if (local.get $accumulate)
            (then (local.set $c30 (f32x4.add (local.get $c30) (v128.load (i32.add (local.get $o3) (local.get $column)))))))
          (v128.store (i32.add (local.get $o3) (local.get $column)) (local.get $c30))))
      (local.set $m (i32.add (local.get $m) (i32.const 4)))
      (br $rowQuads))))

  ;; Which keys the four chunk rows from $firstRow (rows of the block) see: lane i holds the first
  ;; hidden column of row $firstRow + i (causal: width − blockSize + row + 1; otherwise width).
  (func $firstHidden (param $firstRow i32) (param $width i32) (param $blockSize i32) (param $isCausal i32) (result v128)
    (if (result v128) (local.get $isCausal)
      (then (i32x4.add (v128.const i32x4 0 1 2 3)
        (i32x4.splat (i32.add (i32.sub (local.get $width) (local.get $blockSize)) (i32.add (local.get $firstRow) (i32.const 1))))))
      (else (i32x4.splat (local.get $width)))))

  ;; Scores into probabilities, in place, for chunk rows < $rows4 (a multiple of 4) starting at
  ;; block row $firstRow: column n of $scoresT (keys down, chunk rows across) holds q_n·k_c; it
  ;; becomes softmax_c(scale·q_n·k_c + mask_c), a causally hidden column scoring $maskValue.
  (func $softmaxColumns (param $rows4 i32) (param $firstRow i32) (param $width i32) (param $blockSize i32)
    (param $isCausal i32) (param $scale f32) (param $maskValue f32)
    (local $n i32) (local $column i32) (local $at i32) (local $stride i32) (local $end i32) (local $start i32)
    (local $hidden v128) (local $score v128) (local $max v128) (local $sum v128) (local $scales v128) (local $masked v128)
    (local $x v128) (local $exponent v128) (local $r v128) (local $p v128) (local $tiny v128)
    (local.set $stride (i32.shl (global.get $chunkRows) (i32.const 2)))
    (local.set $scales (f32x4.splat (local.get $scale)))
    (local.set $masked (f32x4.splat (local.get $maskValue)))
    (block $lanesDone (loop $lanes
      (br_if $lanesDone (i32.ge_u (local.get $n) (local.get $rows4)))
      (local.set $hidden (call $firstHidden (i32.add (local.get $firstRow) (local.get $n)) (local.get $width) (local.get $blockSize) (local.get $isCausal)))
      (local.set $start (i32.add (global.get $scoresT) (i32.shl (local.get $n) (i32.const 2))))
      (local.set $end (i32.add (local.get $start) (i32.mul (local.get $width) (local.get $stride))))
      (local.set $max (f32x4.splat (f32.const -inf)))
      (local.set $at (local.get $start))
      (local.set $column (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $score (v128.bitselect
          (f32x4.add (f32x4.mul (local.get $scales) (v128.load (local.get $at)))
            (v128.load32_splat (i32.add (global.get $maskRow) (i32.shl (local.get $column) (i32.const 2)))))
          (local.get $masked)
          (i32x4.gt_s (local.get $hidden) (i32x4.splat (local.get $column)))))
        (v128.store (local.get $at) (local.get $score))
        ;; NOTE: pmax, one instruction, where V8 spends several on f32x4.max to propagate NaN: a NaN
        ;; score it drops still makes the column NaN, through its own exp and the sum.
        (local.set $max (f32x4.pmax (local.get $max) (local.get $score)))
        (local.set $at (i32.add (local.get $at) (local.get $stride)))
        (local.set $column (i32.add (local.get $column) (i32.const 1)))
        (br $next)))
      (local.set $sum (v128.const i32x4 0 0 0 0))
      (local.set $at (local.get $start))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        ;; e^x lane by lane, inline (Node 20's V8 does not inline wasm calls, and a call spills
        ;; every live vector): x = e·ln2 + r, |r| ≤ ln2/2, e^r by its Taylor polynomial to r⁶, 2^e
        ;; from the exponent bits. Below -87 (where 2^e leaves the normal range) the result is 0,
        ;; as e^x rounds to in float32 at the softmax's scale; -inf gives 0 too.
        (local.set $x (f32x4.sub (v128.load (local.get $at)) (local.get $max)))
        (local.set $tiny (f32x4.lt (local.get $x) (f32x4.splat (f32.const -87))))
        ;; (pmin/pmax with x first keep a NaN x as NaN)
        (local.set $x (f32x4.pmin (f32x4.pmax (local.get $x) (f32x4.splat (f32.const -87))) (f32x4.splat (f32.const 88))))
        (local.set $exponent (f32x4.nearest (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504088896341)))))
        (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $exponent) (f32x4.splat (f32.const 0.693359375)))))
        (local.set $r (f32x4.add (local.get $r) (f32x4.mul (local.get $exponent) (f32x4.splat (f32.const 2.12194440e-4)))))
        (local.set $p (f32x4.add (f32x4.mul (f32x4.splat (f32.const 1.38888889e-3)) (local.get $r)) (f32x4.splat (f32.const 8.33333333e-3))))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.16666667e-2))))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.66666667e-1))))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 0.5))))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1))))
        (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1))))
        (local.set $score (v128.andnot
          (f32x4.mul (local.get $p)
            (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $exponent)) (i32x4.splat (i32.const 127))) (i32.const 23)))
          (local.get $tiny)))
        (v128.store (local.get $at) (local.get $score))
        (local.set $sum (f32x4.add (local.get $sum) (local.get $score)))
        (local.set $at (i32.add (local.get $at) (local.get $stride)))
        (br $next)))
      (local.set $sum (f32x4.div (f32x4.splat (f32.const 1)) (local.get $sum)))
      (local.set $at (local.get $start))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (v128.store (local.get $at) (f32x4.mul (v128.load (local.get $at)) (local.get $sum)))
        (local.set $at (i32.add (local.get $at) (local.get $stride)))
        (br $next)))
      (local.set $n (i32.add (local.get $n) (i32.const 4)))
      (br $lanes))))

  ;; dp into ds, in place in $scoreGradsT (laid out as $scoresT, which holds p):
  ;; ds = scale·p·(dp − dout·out), 0 on a causally hidden column (the composition's clamp passes
  ;; no gradient there).
  (func $scoreGradients (param $rows4 i32) (param $firstRow i32) (param $width i32) (param $blockSize i32) (param $isCausal i32) (param $scale f32)
    (local $n i32) (local $column i32) (local $at i32) (local $offset i32) (local $stride i32) (local $end i32)
    (local $hidden v128) (local $rowDots v128) (local $scales v128)
    (local.set $stride (i32.shl (global.get $chunkRows) (i32.const 2)))
    (local.set $scales (f32x4.splat (local.get $scale)))
    (block $lanesDone (loop $lanes
      (br_if $lanesDone (i32.ge_u (local.get $n) (local.get $rows4)))
      (local.set $hidden (call $firstHidden (i32.add (local.get $firstRow) (local.get $n)) (local.get $width) (local.get $blockSize) (local.get $isCausal)))
      (local.set $rowDots (v128.load (i32.add (global.get $rowDots) (i32.shl (local.get $n) (i32.const 2)))))
      (local.set $offset (i32.shl (local.get $n) (i32.const 2)))
      (local.set $end (i32.add (local.get $offset) (i32.mul (local.get $width) (local.get $stride))))
      (local.set $column (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $offset) (local.get $end)))
        (local.set $at (i32.add (global.get $scoreGradsT) (local.get $offset)))
        (v128.store (local.get $at) (v128.and
          (f32x4.mul (f32x4.mul (local.get $scales) (v128.load (i32.add (global.get $scoresT) (local.get $offset))))
            (f32x4.sub (v128.load (local.get $at)) (local.get $rowDots)))
          (i32x4.gt_s (local.get $hidden) (i32x4.splat (local.get $column)))))
        (local.set $offset (i32.add (local.get $offset) (local.get $stride)))
        (local.set $column (i32.add (local.get $column) (i32.const 1)))
        (br $next)))
      (local.set $n (i32.add (local.get $n) (i32.const 4)))
      (br $lanes))))

  ;; Forward over pairs [pairStart, pairEnd): out = softmax(scale·q·kᵀ + mask) v per query row; pair
;; p's block table starts p·$pairRowsBytes into $rows.
  ;; $keepWeights ≠ 0: each chunk's pᵀ is also copied to $weights (weightBytesPerBlock per query
  ;; block, pairs and blocks in order from pair 0), for the backward to take instead of recomputing
  ;; the scores and their softmax: the same bits, a third of the backward's work saved.
  (func (export "forward")
    (param $q i32) (param $keys i32) (param $values i32) (param $mask i32) (param $rows i32) (param $out i32)
    (param $weights i32) (param $keepWeights i32) (param $scratch i32)
    (param $pairStart i32) (param $pairEnd i32) (param $pairRowsBytes i32) (param $tokens i32) (param $bankRows i32) (param $headDim i32)
    (param $numBlocks i32) (param $blockSize i32) (param $width i32) (param $isCausal i32) (param $scale f32) (param $maskValue f32)
    (local $pair i32) (local $block i32) (local $firstRow i32) (local $count i32) (local $count4 i32) (local $width4 i32)
    (local $rowTable i32) (local $rowBytes i32) (local $bankBytes i32) (local $tokenAt i32)
    (local $pairKeys i32) (local $pairValues i32) (local $pairMask i32) (local $weightAt i32) (local $weightBytes i32)
    (drop (call $carve (local.get $scratch) (local.get $width) (local.get $headDim)))
    (local.set $weightBytes (call $chunkWeightBytes (local.get $width)))
    (local.set $weightAt (i32.add (local.get $weights)
      (i32.mul (i32.mul (local.get $pairStart) (local.get $numBlocks)) (call $weightBytesPerBlock (local.get $blockSize) (local.get $width)))))
    (local.set $rowBytes (i32.shl (local.get $headDim) (i32.const 2)))
    (memory.fill (global.get $zeroRow) (i32.const 0) (local.get $rowBytes))
    (local.set $bankBytes (i32.mul (local.get $bankRows) (local.get $rowBytes)))
    (local.set $width4 (i32.and (i32.add (local.get $width) (i32.const 3)) (i32.const -4)))
    (local.set $pair (local.get $pairStart))
    (block $pairsDone (loop $pairs
      (br_if $pairsDone (i32.ge_u (local.get $pair) (local.get $pairEnd)))
      (local.set $pairKeys (i32.add (local.get $keys) (i32.mul (local.get $pair) (local.get $bankBytes))))
      (local.set $pairValues (i32.add (local.get $values) (i32.mul (local.get $pair) (local.get $bankBytes))))
      (local.set $pairMask (i32.add (local.get $mask) (i32.shl (i32.mul (local.get $pair) (local.get $bankRows)) (i32.const 2))))
      (local.set $block (i32.const 0))
      (block $blocksDone (loop $blocks
        (br_if $blocksDone (i32.ge_u (local.get $block) (local.get $numBlocks)))
        (local.set $rowTable (i32.add (i32.add (local.get $rows) (i32.mul (local.get $pair) (local.get $pairRowsBytes)))
          (i32.shl (i32.mul (local.get $block) (local.get $width)) (i32.const 2))))
        (call $bankTable (global.get $keyRows) (local.get $pairKeys) (local.get $rowTable) (local.get $width) (local.get $rowBytes) (global.get $zeroRow))
        (call $bankTable (global.get $valueRows) (local.get $pairValues) (local.get $rowTable) (local.get $width) (local.get $rowBytes) (global.get $zeroRow))
        (call $maskColumns (local.get $pairMask) (local.get $rowTable) (local.get $width))
        (local.set $firstRow (i32.const 0))
        (block $chunksDone (loop $chunks
          (br_if $chunksDone (i32.ge_u (local.get $firstRow) (local.get $blockSize)))
          (local.set $count (i32.sub (local.get $blockSize) (local.get $firstRow)))
          (if (i32.gt_u (local.get $count) (global.get $chunkRows)) (then (local.set $count (global.get $chunkRows))))
          (local.set $count4 (i32.and (i32.add (local.get $count) (i32.const 3)) (i32.const -4)))
          (local.set $tokenAt (i32.mul (i32.add (i32.mul (local.get $pair) (local.get $tokens))
            (i32.add (i32.mul (local.get $block) (local.get $blockSize)) (local.get $firstRow))) (local.get $rowBytes)))
          (call $transposeRows (global.get $queriesT) (i32.add (local.get $q) (local.get $tokenAt)) (local.get $count) (local.get $headDim))
          (call $tokenTable (global.get $outRows) (i32.add (local.get $out) (local.get $tokenAt)) (local.get $count) (local.get $rowBytes) (global.get $trashRow))
          (call $scoreTiles (global.get $keyRows) (local.get $width4) (global.get $queriesT) (i32.and (i32.add (local.get $count) (i32.const 7)) (i32.const -8)) (local.get $headDim) (global.get $scoresT))
          (call $softmaxColumns (local.get $count4) (local.get $firstRow) (local.get $width) (local.get $blockSize)
            (local.get $isCausal) (local.get $scale) (local.get $maskValue))
          (if (local.get $keepWeights) (then (memory.copy (local.get $weightAt) (global.get $scoresT) (local.get $weightBytes))))
          (local.set $weightAt (i32.add (local.get $weightAt) (local.get $weightBytes)))
          ;; out[n] = Σ_c p[c][n] v_c: A(n, c) is scoresT[c][n].
          (call $rowsProduct (global.get $scoresT) (i32.const 4) (i32.shl (global.get $chunkRows) (i32.const 2))
            (global.get $valueRows) (local.get $width) (global.get $outRows) (local.get $count4) (local.get $headDim) (i32.const 0))
          (local.set $firstRow (i32.add (local.get $firstRow) (global.get $chunkRows)))
          (br $chunks)))
        (local.set $block (i32.add (local.get $block) (i32.const 1)))
        (br $blocks)))
      (local.set $pair (i32.add (local.get $pair) (i32.const 1)))
      (br $pairs)))
  )

  ;; The mask of the block's keys into $maskRow: mask[rows[c]] for c < width.
  (func $maskColumns (param $pairMask i32) (param $rowTable i32) (param $width i32)
    (local $column i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $column) (local.get $width)))
      (f32.store (i32.add (global.get $maskRow) (i32.shl (local.get $column) (i32.const 2)))
        (f32.load (i32.add (local.get $pairMask) (i32.shl (i32.load (i32.add (local.get $rowTable) (i32.shl (local.get $column) (i32.const 2)))) (i32.const 2)))))
      (local.set $column (i32.add (local.get $column) (i32.const 1)))
      (br $next))))

  ;; Backward over pairs [pairStart, pairEnd), adding into dkeys and dvalues (zeroed by the caller)
  ;; and storing dq: with p the probabilities (from $weights where $haveWeights ≠ 0, laid out as the
  ;; forward keeps them; else recomputed) and δ = dO·O per query,
  ;; ds = scale·p·(dO·v − δ) (0 on a causally hidden column); dq = Σ ds k, dk += ds q, dv += p dO.
  (func (export "backward")
    (param $q i32) (param $keys i32) (param $values i32) (param $mask i32) (param $rows i32) (param $out i32) (param $dout i32)
    (param $dq i32) (param $dkeys i32) (param $dvalues i32) (param $weights i32) (param $haveWeights i32) (param $scratch i32)
    (param $pairStart i32) (param $pairEnd i32) (param $pairRowsBytes i32) (param $tokens i32) (param $bankRows i32) (param $headDim i32)
    (param $numBlocks i32) (param $blockSize i32) (param $width i32) (param $isCausal i32) (param $scale f32) (param $maskValue f32)
    (local $pair i32) (local $block i32) (local $firstRow i32) (local $count i32) (local $count4 i32) (local $width4 i32) (local $n i32)
    (local $rowTable i32) (local $rowBytes i32) (local $bankBytes i32) (local $tokenAt i32) (local $chunkBytes i32)
    (local $pairKeys i32) (local $pairValues i32) (local $pairMask i32) (local $pairKeyGrads i32) (local $pairValueGrads i32)
    (local $weightAt i32) (local $weightBytes i32)
    (drop (call $carve (local.get $scratch) (local.get $width) (local.get $headDim)))
    (local.set $weightBytes (call $chunkWeightBytes (local.get $width)))
    (local.set $weightAt (i32.add (local.get $weights)
      (i32.mul (i32.mul (local.get $pairStart) (local.get $numBlocks)) (call $weightBytesPerBlock (local.get $blockSize) (local.get $width)))))
    (local.set $rowBytes (i32.shl (local.get $headDim) (i32.const 2)))
    (memory.fill (global.get $zeroRow) (i32.const 0) (local.get $rowBytes))
    (local.set $bankBytes (i32.mul (local.get $bankRows) (local.get $rowBytes)))
    (local.set $width4 (i32.and (i32.add (local.get $width) (i32.const 3)) (i32.const -4)))
    (local.set $chunkBytes (i32.shl (global.get $chunkRows) (i32.const 2)))
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
        (local.set $rowTable (i32.add (i32.add (local.get $rows) (i32.mul (local.get $pair) (local.get $pairRowsBytes)))
          (i32.shl (i32.mul (local.get $block) (local.get $width)) (i32.const 2))))
        (call $bankTable (global.get $keyRows) (local.get $pairKeys) (local.get $rowTable) (local.get $width) (local.get $rowBytes) (global.get $zeroRow))
        (call $bankTable (global.get $valueRows) (local.get $pairValues) (local.get $rowTable) (local.get $width) (local.get $rowBytes) (global.get $zeroRow))
        (call $bankTable (global.get $keyGradRows) (local.get $pairKeyGrads) (local.get $rowTable) (local.get $width) (local.get $rowBytes) (global.get $trashRow))
        (call $bankTable (global.get $valueGradRows) (local.get $pairValueGrads) (local.get $rowTable) (local.get $width) (local.get $rowBytes) (global.get $trashRow))
        (call $maskColumns (local.get $pairMask) (local.get $rowTable) (local.get $width))
        (local.set $firstRow (i32.const 0))
        (block $chunksDone (loop $chunks
          (br_if $chunksDone (i32.ge_u (local.get $firstRow) (local.get $blockSize)))
          (local.set $count (i32.sub (local.get $blockSize) (local.get $firstRow)))
          (if (i32.gt_u (local.get $count) (global.get $chunkRows)) (then (local.set $count (global.get $chunkRows))))
          (local.set $count4 (i32.and (i32.add (local.get $count) (i32.const 3)) (i32.const -4)))
          (local.set $tokenAt (i32.mul (i32.add (i32.mul (local.get $pair) (local.get $tokens))
            (i32.add (i32.mul (local.get $block) (local.get $blockSize)) (local.get $firstRow))) (local.get $rowBytes)))
          ;; (the transposed queries only feed the recomputed scores)
          (if (i32.eqz (local.get $haveWeights))
            (then (call $transposeRows (global.get $queriesT) (i32.add (local.get $q) (local.get $tokenAt)) (local.get $count) (local.get $headDim))))
          (call $transposeRows (global.get $gradsT) (i32.add (local.get $dout) (local.get $tokenAt)) (local.get $count) (local.get $headDim))
          (call $tokenTable (global.get $queryRows) (i32.add (local.get $q) (local.get $tokenAt)) (local.get $count) (local.get $rowBytes) (global.get $zeroRow))
          (call $tokenTable (global.get $gradRows) (i32.add (local.get $dout) (local.get $tokenAt)) (local.get $count) (local.get $rowBytes) (global.get $zeroRow))
          (call $tokenTable (global.get $queryGradRows) (i32.add (local.get $dq) (local.get $tokenAt)) (local.get $count) (local.get $rowBytes) (global.get $trashRow))
          ;; δ = dO·O per chunk row (0 past the chunk's rows).
          (memory.fill (global.get $rowDots) (i32.const 0) (local.get $chunkBytes))
          (local.set $n (i32.const 0))
          (block $dotsDone (loop $dots
            (br_if $dotsDone (i32.ge_u (local.get $n) (local.get $count)))
            (f32.store (i32.add (global.get $rowDots) (i32.shl (local.get $n) (i32.const 2)))
              (call $dot (i32.add (i32.add (local.get $dout) (local.get $tokenAt)) (i32.mul (local.get $n) (local.get $rowBytes)))
                (i32.add (i32.add (local.get $out) (local.get $tokenAt)) (i32.mul (local.get $n) (local.get $rowBytes)))
                (local.get $headDim)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $dots)))
          (if (local.get $haveWeights)
            (then (memory.copy (global.get $scoresT) (local.get $weightAt) (local.get $weightBytes)))
            (else
              (call $scoreTiles (global.get $keyRows) (local.get $width4) (global.get $queriesT) (i32.and (i32.add (local.get $count) (i32.const 7)) (i32.const -8)) (local.get $headDim) (global.get $scoresT))
              (call $softmaxColumns (local.get $count4) (local.get $firstRow) (local.get $width) (local.get $blockSize)
                (local.get $isCausal) (local.get $scale) (local.get $maskValue))))
          (local.set $weightAt (i32.add (local.get $weightAt) (local.get $weightBytes)))
          (call $scoreTiles (global.get $valueRows) (local.get $width4) (global.get $gradsT) (i32.and (i32.add (local.get $count) (i32.const 7)) (i32.const -8)) (local.get $headDim) (global.get $scoreGradsT))
          (call $scoreGradients (local.get $count4) (local.get $firstRow) (local.get $width) (local.get $blockSize) (local.get $isCausal) (local.get $scale))
          ;; dq[n] = Σ_c ds[c][n] k_c: A(n, c) is scoreGradsT[c][n].
          (call $rowsProduct (global.get $scoreGradsT) (i32.const 4) (local.get $chunkBytes)
            (global.get $keyRows) (local.get $width) (global.get $queryGradRows) (local.get $count4) (local.get $headDim) (i32.const 0))
          ;; dk_c += Σ_n ds[c][n] q_n and dv_c += Σ_n p[c][n] dO_n: A(c, n) is the transposed array's [c][n].
          (call $rowsProduct (global.get $scoreGradsT) (local.get $chunkBytes) (i32.const 4)
            (global.get $queryRows) (local.get $count) (global.get $keyGradRows) (local.get $width4) (local.get $headDim) (i32.const 1))
          (call $rowsProduct (global.get $scoresT) (local.get $chunkBytes) (i32.const 4)
            (global.get $gradRows) (local.get $count) (global.get $valueGradRows) (local.get $width4) (local.get $headDim) (i32.const 1))
          (local.set $firstRow (i32.add (local.get $firstRow) (global.get $chunkRows)))
          (br $chunks)))
        (local.set $block (i32.add (local.get $block) (i32.const 1)))
        (br $blocks)))
      (local.set $pair (i32.add (local.get $pair) (i32.const 1)))
      (br $pairs)))
  )
)
