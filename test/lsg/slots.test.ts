// The sparse slot arithmetic against the layouts docs/lsg-reference.md#slot-arithmetic and the golden cases describe.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { normalSlots, referenceSlots } from '../../lsg/slots.js';

const span = (start: number, endInclusive: number) =>
  Array.from({ length: endInclusive - start + 1 }, (_, i) => start + i);

test('normal layout: the sparse tokens just outside the local window', () => {
  // bs 16, sf 4: step 4; the window [(i-1)·16, (i+2)·16) is sparse slots [(i-1)·4, (i+2)·4).
  const slots = normalSlots({ blockSize: 16, sparsityFactor: 4, slotsPerSide: 16, isCausal: false });
  assert.equal(slots.left, span(-20, -5));
  assert.equal(slots.right, span(8, 23));
  assert.equal(normalSlots({ blockSize: 16, sparsityFactor: 4, slotsPerSide: 16, isCausal: true }).right, []);
});

test('reference standalone layout equals the normal one for sf >= 4 and an even step', () => {
  for (const [blockSize, sparsityFactor] of [[16, 4], [16, 8], [8, 4], [32, 4], [64, 8]] as const) {
    for (const isCausal of [false, true]) {
      const geometry = { blockSize, sparsityFactor, slotsPerSide: blockSize, isCausal };
      assert.equal(referenceSlots('standalone', geometry), normalSlots(geometry), `bs ${blockSize} sf ${sparsityFactor}`);
    }
  }
});

test('reference standalone: sf 2 has no sparse slots, sf 3 only the left side, odd step throws', () => {
  assert.equal(referenceSlots('standalone', { blockSize: 8, sparsityFactor: 2, slotsPerSide: 8, isCausal: false }), { left: [], right: [] });
  const sf3 = referenceSlots('standalone', { blockSize: 12, sparsityFactor: 3, slotsPerSide: 12, isCausal: false });
  assert.equal(sf3.left, span(-16, -5));
  assert.equal(sf3.right, []);
  assert.throws(() => referenceSlots('standalone', { blockSize: 12, sparsityFactor: 4, slotsPerSide: 12, isCausal: false }), /odd step/);
});

test('reference model layouts recorded in the golden cases', () => {
  // m_bos_pooling_bs8_sf8_g2_t70_pad: [-9..-2]+[0..7] instead of [-9..-2]+[2..9]
  const shifted = referenceSlots('model', { blockSize: 8, sparsityFactor: 8, slotsPerSide: 8, isCausal: false });
  assert.equal(shifted.left, span(-9, -2));
  assert.equal(shifted.right, span(0, 7));
  // m_norm_bs16_sbs4_sf2_t128: only [-8..-5] instead of [-12..-9]+[16..19]
  const single = referenceSlots('model', { blockSize: 16, sparsityFactor: 2, slotsPerSide: 4, isCausal: false });
  assert.equal([...single.left, ...single.right], span(-8, -5));
  // normal cases: m_t17_bs8_pooling, m_norm_bs8_sbs16_sf2_t96, m_block_stride_bs16_sbs8_sf4_t96_h4
  for (const geometry of [
    { blockSize: 8, sparsityFactor: 2, slotsPerSide: 8, isCausal: false },
    { blockSize: 8, sparsityFactor: 2, slotsPerSide: 16, isCausal: false },
    { blockSize: 16, sparsityFactor: 4, slotsPerSide: 8, isCausal: false },
    { blockSize: 8, sparsityFactor: 2, slotsPerSide: 8, isCausal: true },
  ]) {
    assert.equal(referenceSlots('model', geometry), normalSlots(geometry), JSON.stringify(geometry));
  }
});

test('reference model: 4·sbs == 3·step takes only the left side; odd step above 1 throws', () => {
  // bs 32, sf 2: step 16, sbs 12 → 4·12 == 3·16
  const leftOnly = referenceSlots('model', { blockSize: 32, sparsityFactor: 2, slotsPerSide: 12, isCausal: false });
  assert.equal(leftOnly.left, span(-28, -17));
  assert.equal(leftOnly.right, []);
  assert.throws(() => referenceSlots('model', { blockSize: 24, sparsityFactor: 8, slotsPerSide: 8, isCausal: false }), /odd step/);
});

test.run();
