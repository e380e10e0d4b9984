;; The float32 matmul kernel of the CPU backend, in WebAssembly text with 128-bit SIMD.
;; Assembled by build.ts into matmul-wasm.generated.ts; matmul.ts lays out the operands and calls it.
;;
;; The operands are described by byte strides, so that one loop reads either layout matmul.ts
;; gives it:
;;   packed panels (k-major inside each panel; for any input strides):
;;     A: per batch entry, ⌈M/4⌉ panels of K × 4 floats: the panel's 4 rows side by side per k.
;;     B: per batch entry, ⌈N/8⌉ panels of K × 8 floats: 8 columns of B side by side per k.
;;   or the input itself, copied as it is, when its matrices are stored without gaps: A row-major
;;   [M, K] or transposed [K, M], B row-major [K, N] (then the 8 columns of a tile are adjacent, and
;;   a panel of B is just the next 8 columns).
;; Every tile runs the same loop: a tile at the matrix edge also reads the rows or columns past
;; the edge: the zeros of its packed panel, or, read in place, the next matrix's values or a pad of
;; zeros after the last one. Each lane sums its own row and column only, and only the store at the
;; end looks at the edge, so what lies past the edge never reaches the output. The output is dense
;; row-major, batch after batch.
;;
;; One tile is 4 rows × 8 columns of the output, held in 8 f32x4 accumulators (two per row).
;; Per k it loads the 8 values of B as two vectors, broadcasts each of A's 4 values to a vector
;; (v128.load32_splat) and does 8 multiplies and 8 adds: 64 flops for 6 loads. 8 accumulators
;; plus 3 operands fit the 16 vector registers of x86-64 and arm64, so nothing spills.
;; Long sums run in chunks of k (multiplyUnits): every tile of the run takes the chunk's k, storing
;; its sums, and the next chunk starts its tiles from them; the order of the float32 additions is
;; the same as in one pass.
;; NOTE: the sum over k runs in float32 (the JS kernel sums in float64 and rounds once), so the two
;; agree within float32 rounding, not bit for bit. Written as multiply then add; scripts/build-wasm.ts
;; also assembles a build with each of those pairs fused (relaxed SIMD's f32x4.relaxed_madd), which
;; kernel.ts runs where the engine has relaxed SIMD.
(module
  ;; The memory is imported and shared: the main thread and the helper thread (matmul-pool.ts)
  ;; each instantiate this module over the same memory and compute disjoint rows of the output.
  ;; 16384 pages of 64 KiB = 1 GiB at most; matmul.ts uses the JS kernel for anything larger.
  (import "env" "memory" (memory 1 16384 shared))

  ;; Values of k per chunk (multiplyUnits).
  (global $chunkDepth i32 (i32.const 128))

  ;; Computes work units [unitStart, unitEnd) of the batched product. A unit is one panel of 4 rows
  ;; of one batch entry: unit u is batch ⌊u / rowPanels⌋, row panel u mod rowPanels (as in
  ;; matmul-tiles.ts, so the hand-off to the helper thread splits the same way).
  ;; All addresses and strides are in bytes:
  ;;   A at $a: from one row to the next $aRowBytes, one k to the next $aDepthBytes, one panel of 4
  ;;     rows to the next $aPanelBytes, one batch entry to the next $aBatchBytes.
  ;;   B at $b: from one k to the next $bDepthBytes (the 8 columns at each k are adjacent), one
  ;;     panel of 8 columns to the next $bPanelBytes, one batch entry to the next $bBatchBytes
  ;;     (0 when one B serves every batch entry).
  ;; scratch: 128 bytes for edge tiles, one area per calling thread.
  (func (export "multiplyUnits")
    (param $a i32) (param $aRowBytes i32) (param $aDepthBytes i32) (param $aPanelBytes i32) (param $aBatchBytes i32)
    (param $b i32) (param $bDepthBytes i32) (param $bPanelBytes i32) (param $bBatchBytes i32)
    (param $out i32) (param $scratch i32) (param $M i32) (param $N i32) (param $K i32)
    (param $unitStart i32) (param $unitEnd i32)
    (local $rowPanels i32) (local $columnPanels i32)
    (local $unit i32) (local $batch i32) (local $firstPanel i32) (local $lastPanel i32)
    (local $batchA i32) (local $batchB i32) (local $batchOut i32)
    (local $blockStart i32) (local $blockEnd i32)
    (local $rowPanel i32) (local $columnPanel i32) (local $row i32) (local $column i32)
    (local $depthStart i32) (local $depth i32)
    (local.set $rowPanels (i32.shr_u (i32.add (local.get $M) (i32.const 3)) (i32.const 2)))
    (local.set $columnPanels (i32.shr_u (i32.add (local.get $N) (i32.const 7)) (i32.const 3)))
    (local.set $unit (local.get $unitStart))
    (block $done
      (loop $units
        (br_if $done (i32.ge_u (local.get $unit) (local.get $unitEnd)))
        ;; The run of row panels from this unit to the end of its batch entry (or of the range).
        (local.set $batch (i32.div_u (local.get $unit) (local.get $rowPanels)))
        (local.set $firstPanel (i32.sub (local.get $unit) (i32.mul (local.get $batch) (local.get $rowPanels))))
        (local.set $lastPanel (i32.add (local.get $firstPanel) (i32.sub (local.get $unitEnd) (local.get $unit))))
        (if (i32.gt_u (local.get $lastPanel) (local.get $rowPanels))
          (then (local.set $lastPanel (local.get $rowPanels))))
        (local.set $batchA (i32.add (local.get $a) (i32.mul (local.get $batch) (local.get $aBatchBytes))))
        (local.set $batchB (i32.add (local.get $b) (i32.mul (local.get $batch) (local.get $bBatchBytes))))
        (local.set $batchOut (i32.add (local.get $out)
          (i32.shl (i32.mul (local.get $batch) (i32.mul (local.get $M) (local.get $N))) (i32.const 2))))
        ;; Chunks of $chunkDepth along k: the chunk's rows of A and B (32 KiB each at 64 columns)
        ;; stay in cache while every tile passes over them; a long sum (the weight gradient xᵀ·dy
        ;; sums over every token) otherwise streams all of A and B from memory once per tile.
        ;; Each chunk after the first adds to the sums the previous one stored.
        (local.set $depthStart (i32.const 0))
        (loop $chunks
          (local.set $depth (call $min (i32.sub (local.get $K) (local.get $depthStart)) (global.get $chunkDepth)))
          ;; Blocks of 16 column panels (128 columns): that part of B stays in cache while every row
          ;; panel of the run passes over it.
          (local.set $blockStart (i32.const 0))
          (loop $blocks
            (local.set $blockEnd (i32.add (local.get $blockStart) (i32.const 16)))
            (if (i32.gt_u (local.get $blockEnd) (local.get $columnPanels))
              (then (local.set $blockEnd (local.get $columnPanels))))
            (local.set $rowPanel (local.get $firstPanel))
            (loop $rowPanels
              (local.set $row (i32.shl (local.get $rowPanel) (i32.const 2)))
              (local.set $columnPanel (local.get $blockStart))
              (loop $columnPanels
                (local.set $column (i32.shl (local.get $columnPanel) (i32.const 3)))
                (call $tile
                  (i32.add (i32.add (local.get $batchA) (i32.mul (local.get $rowPanel) (local.get $aPanelBytes))) (i32.mul (local.get $depthStart) (local.get $aDepthBytes)))
                  (local.get $aRowBytes) (local.get $aDepthBytes)
                  (i32.add (i32.add (local.get $batchB) (i32.mul (local.get $columnPanel) (local.get $bPanelBytes))) (i32.mul (local.get $depthStart) (local.get $bDepthBytes)))
                  (local.get $bDepthBytes)
                  (local.get $depth)
                  ;; the output address of the tile's top-left element, and the row stride in bytes
                  (i32.add (local.get $batchOut)
                    (i32.shl (i32.add (i32.mul (local.get $row) (local.get $N)) (local.get $column)) (i32.const 2)))
                  (i32.shl (local.get $N) (i32.const 2))
                  ;; how many of the tile's rows and columns lie inside the matrix
                  (call $min (i32.sub (local.get $M) (local.get $row)) (i32.const 4))
                  (call $min (i32.sub (local.get $N) (local.get $column)) (i32.const 8))
                  (local.get $scratch)
                  (i32.ne (local.get $depthStart) (i32.const 0)))
                (local.set $columnPanel (i32.add (local.get $columnPanel) (i32.const 1)))
                (br_if $columnPanels (i32.lt_u (local.get $columnPanel) (local.get $blockEnd))))
              (local.set $rowPanel (i32.add (local.get $rowPanel) (i32.const 1)))
              (br_if $rowPanels (i32.lt_u (local.get $rowPanel) (local.get $lastPanel))))
            (local.set $blockStart (local.get $blockEnd))
            (br_if $blocks (i32.lt_u (local.get $blockStart) (local.get $columnPanels))))
          (local.set $depthStart (i32.add (local.get $depthStart) (local.get $depth)))
          (br_if $chunks (i32.lt_u (local.get $depthStart) (local.get $K))))
        (local.set $unit (i32.add (local.get $unit) (i32.sub (local.get $lastPanel) (local.get $firstPanel))))
        (br $units))))

  (func $min (param $x i32) (param $y i32) (result i32)
    (select (local.get $x) (local.get $y) (i32.lt_u (local.get $x) (local.get $y))))

  ;; Copies the part of an edge tile inside the matrix from the output at $from (rows $rowBytes
  ;; apart) into scratch (row r at byte 32·r), zeros elsewhere: the tile's starting sums.
  (func $intoScratch (param $from i32) (param $rowBytes i32) (param $rows i32) (param $columns i32) (param $scratch i32)
    (local $row i32) (local $column i32)
    (v128.store offset=0 (local.get $scratch) (v128.const i64x2 0 0))
    (v128.store offset=16 (local.get $scratch) (v128.const i64x2 0 0))
    (v128.store offset=32 (local.get $scratch) (v128.const i64x2 0 0))
    (v128.store offset=48 (local.get $scratch) (v128.const i64x2 0 0))
    (v128.store offset=64 (local.get $scratch) (v128.const i64x2 0 0))
    (v128.store offset=80 (local.get $scratch) (v128.const i64x2 0 0))
    (v128.store offset=96 (local.get $scratch) (v128.const i64x2 0 0))
    (v128.store offset=112 (local.get $scratch) (v128.const i64x2 0 0))
    (loop $rows
      (local.set $column (i32.const 0))
      (loop $columns
        (f32.store
          (i32.add (local.get $scratch) (i32.add (i32.shl (local.get $row) (i32.const 5)) (i32.shl (local.get $column) (i32.const 2))))
          (f32.load (i32.add (local.get $from) (i32.shl (local.get $column) (i32.const 2)))))
        (local.set $column (i32.add (local.get $column) (i32.const 1)))
        (br_if $columns (i32.lt_u (local.get $column) (local.get $columns))))
      (local.set $from (i32.add (local.get $from) (local.get $rowBytes)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $row) (local.get $rows)))))

  ;; One 4 × 8 output tile: the sum over k of (4 values of A) ⊗ (8 values of B).
  ;; $a: A at the tile's first row and k = 0, with the strides of multiplyUnits; $b: B at the tile's
  ;; first column and k = 0. $to: the output address of the tile's top-left element; $rowBytes:
  ;; the output row stride; $rows, $columns: the part of the tile inside the matrix (at least 1 × 1).
  (func $tile
    (param $a i32) (param $aRowBytes i32) (param $aDepthBytes i32) (param $b i32) (param $bDepthBytes i32)
    (param $K i32) (param $to i32) (param $rowBytes i32)
    (param $rows i32) (param $columns i32) (param $scratch i32) (param $accumulate i32)
    (local $k i32) (local $row1 i32) (local $row2 i32) (local $row3 i32) (local $row i32) (local $column i32)
    (local $whole i32) (local $at i32) (local $step i32)
    (local $left v128) (local $right v128) (local $broadcast v128)
    ;; $cRH: row R of the tile, H = 0 for its columns 0–3, 1 for columns 4–7 (all start at zero)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    ;; A whole tile lies inside the matrix; an edge tile goes through scratch (row r at byte 32·r).
    (local.set $whole (i32.and (i32.eq (local.get $rows) (i32.const 4)) (i32.eq (local.get $columns) (i32.const 8))))
    ;; Accumulating (a depth chunk after the first): start from the sums the output holds, which
    ;; are the very float32 accumulators of the previous chunk, so chunking changes no bit.
    (if (local.get $accumulate)
      (then
        (if (i32.eqz (local.get $whole))
          (then
            (call $intoScratch (local.get $to) (local.get $rowBytes) (local.get $rows) (local.get $columns) (local.get $scratch))
            (local.set $at (local.get $scratch))
            (local.set $step (i32.const 32)))
          (else
            (local.set $at (local.get $to))
            (local.set $step (local.get $rowBytes))))
        (local.set $c00 (v128.load (local.get $at)))
        (local.set $c01 (v128.load offset=16 (local.get $at)))
        (local.set $at (i32.add (local.get $at) (local.get $step)))
        (local.set $c10 (v128.load (local.get $at)))
        (local.set $c11 (v128.load offset=16 (local.get $at)))
        (local.set $at (i32.add (local.get $at) (local.get $step)))
        (local.set $c20 (v128.load (local.get $at)))
        (local.set $c21 (v128.load offset=16 (local.get $at)))
        (local.set $at (i32.add (local.get $at) (local.get $step)))
        (local.set $c30 (v128.load (local.get $at)))
        (local.set $c31 (v128.load offset=16 (local.get $at)))))
    ;; the byte offsets of the tile's rows 1, 2, 3 from row 0 in A
    (local.set $row1 (local.get $aRowBytes))
    (local.set $row2 (i32.shl (local.get $aRowBytes) (i32.const 1)))
    (local.set $row3 (i32.add (local.get $row2) (local.get $aRowBytes)))
    (local.set $k (local.get $K))
    (if (i32.gt_u (local.get $k) (i32.const 0))
      (then
        (loop $depth
          (local.set $left (v128.load (local.get $b)))
          (local.set $right (v128.load offset=16 (local.get $b)))
          ;; row 0: A[row 0, k] broadcast to all four lanes, times the 8 values of B at k
          (local.set $broadcast (v128.load32_splat (local.get $a)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $broadcast) (local.get $left))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $broadcast) (local.get $right))))
          (local.set $broadcast (v128.load32_splat (i32.add (local.get $a) (local.get $row1))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $broadcast) (local.get $left))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $broadcast) (local.get $right))))
          (local.set $broadcast (v128.load32_splat (i32.add (local.get $a) (local.get $row2))))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $broadcast) (local.get $left))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $broadcast) (local.get $right))))
          (local.set $broadcast (v128.load32_splat (i32.add (local.get $a) (local.get $row3))))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $broadcast) (local.get $left))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $broadcast) (local.get $right))))
          (local.set $a (i32.add (local.get $a) (local.get $aDepthBytes)))
          (local.set $b (i32.add (local.get $b) (local.get $bDepthBytes)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br_if $depth (local.get $k)))))
    (if (local.get $whole)
      (then
        ;; A whole tile: two vector stores per row (unaligned stores are allowed and cheap).
        (v128.store (local.get $to) (local.get $c00))
        (v128.store offset=16 (local.get $to) (local.get $c01))
        (local.set $to (i32.add (local.get $to) (local.get $rowBytes)))
        (v128.store (local.get $to) (local.get $c10))
        (v128.store offset=16 (local.get $to) (local.get $c11))
        (local.set $to (i32.add (local.get $to) (local.get $rowBytes)))
        (v128.store (local.get $to) (local.get $c20))
        (v128.store offset=16 (local.get $to) (local.get $c21))
        (local.set $to (i32.add (local.get $to) (local.get $rowBytes)))
        (v128.store (local.get $to) (local.get $c30))
        (v128.store offset=16 (local.get $to) (local.get $c31)))
      (else
        ;; An edge tile: the whole tile goes to scratch (row r at byte 32·r), then only the rows
        ;; and columns inside the matrix are copied out, one float at a time.
        (v128.store offset=0 (local.get $scratch) (local.get $c00))
        (v128.store offset=16 (local.get $scratch) (local.get $c01))
        (v128.store offset=32 (local.get $scratch) (local.get $c10))
        (v128.store offset=48 (local.get $scratch) (local.get $c11))
        (v128.store offset=64 (local.get $scratch) (local.get $c20))
        (v128.store offset=80 (local.get $scratch) (local.get $c21))
        (v128.store offset=96 (local.get $scratch) (local.get $c30))
        (v128.store offset=112 (local.get $scratch) (local.get $c31))
        (loop $rows
          (local.set $column (i32.const 0))
          (loop $columns
            (f32.store
              (i32.add (local.get $to) (i32.shl (local.get $column) (i32.const 2)))
              (f32.load (i32.add (local.get $scratch)
                (i32.add (i32.shl (local.get $row) (i32.const 5)) (i32.shl (local.get $column) (i32.const 2))))))
            (local.set $column (i32.add (local.get $column) (i32.const 1)))
            (br_if $columns (i32.lt_u (local.get $column) (local.get $columns))))
          (local.set $to (i32.add (local.get $to) (local.get $rowBytes)))
          (local.set $row (i32.add (local.get $row) (i32.const 1)))
          (br_if $rows (i32.lt_u (local.get $row) (local.get $rows)))))))
)
