// symbols.js — APP-6 / MIL-STD-2525-style air track symbols, drawn once into small
// offscreen canvases (sprites) and stamped onto the track layer with drawImage.
//
// Frame by standard identity (STANAG 1241 affiliation):
//   hostile, suspect          red diamond        (suspect: dashed outline, lighter fill)
//   friend, assumed_friend    blue circle        (assumed friend: dashed outline)
//   neutral                   green square
//   unknown, pending          yellow quatrefoil  (pending: dashed outline)
// Glyph by class: UAV chevron (owa_drone filled, decoy hollow), quadcopter rotors,
// fixed wing (airliner, light aircraft), delta (fighter), rotary bow-tie (helicopter),
// bird wings, and "?" for anything else.

export const SPRITE = 28;               // sprite box, CSS pixels (square)

const FILL = {
  hostile: '#ff8080', suspect: '#ffb2a0',
  friend: '#80e0ff', assumed_friend: '#a8ecff',
  neutral: '#aaffaa',
  unknown: '#ffff80', pending: '#ffffa8',
};
const DASHED = new Set(['suspect', 'assumed_friend', 'pending']);

// The colour of a track's trail and leader line, by affiliation.
export const LINE = {
  hostile: '#ff5c5c', suspect: '#ff9a80',
  friend: '#5cc8ff', assumed_friend: '#8fdcff',
  neutral: '#7dff7d',
  unknown: '#f0f060', pending: '#f0f060',
};

export function affKey(aff) { return FILL[aff] ? aff : 'pending'; }
export function lineColour(aff) { return LINE[aff] || LINE.pending; }

function frameKind(aff) {
  if (aff === 'hostile' || aff === 'suspect') return 'diamond';
  if (aff === 'friend' || aff === 'assumed_friend') return 'circle';
  if (aff === 'neutral') return 'square';
  return 'quatrefoil';
}

function framePath(ctx, kind) {
  ctx.beginPath();
  switch (kind) {
    case 'diamond':
      ctx.moveTo(0, -12); ctx.lineTo(12, 0); ctx.lineTo(0, 12); ctx.lineTo(-12, 0); ctx.closePath();
      break;
    case 'circle':
      ctx.arc(0, 0, 10, 0, Math.PI * 2);
      break;
    case 'square':
      ctx.rect(-9, -9, 18, 18);
      break;
    default: {                          // quatrefoil: four lobes around the centre
      const r = 5.2, o = 5.2;
      ctx.moveTo(o + r, 0);
      ctx.arc(o, 0, r, 0, Math.PI * 2);
      ctx.moveTo(0 + r, -o);
      ctx.arc(0, -o, r, 0, Math.PI * 2);
      ctx.moveTo(-o + r, 0);
      ctx.arc(-o, 0, r, 0, Math.PI * 2);
      ctx.moveTo(0 + r, o);
      ctx.arc(0, o, r, 0, Math.PI * 2);
    }
  }
}

function glyph(ctx, cls) {
  ctx.fillStyle = '#000';
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 1.6;
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  switch (cls) {
    case 'owa_drone':
    case 'decoy': {                      // UAV: a flattened chevron (flying wing)
      ctx.beginPath();
      ctx.moveTo(-7, -3); ctx.lineTo(0, 1); ctx.lineTo(7, -3);
      ctx.lineTo(7, 0); ctx.lineTo(0, 4.5); ctx.lineTo(-7, 0); ctx.closePath();
      if (cls === 'owa_drone') ctx.fill(); else { ctx.lineWidth = 1.2; ctx.stroke(); }
      break;
    }
    case 'quadcopter': {
      ctx.beginPath();
      ctx.moveTo(-4, -4); ctx.lineTo(4, 4); ctx.moveTo(4, -4); ctx.lineTo(-4, 4);
      ctx.stroke();
      for (const [x, y] of [[-4, -4], [4, -4], [-4, 4], [4, 4]]) {
        ctx.beginPath(); ctx.arc(x, y, 2.2, 0, Math.PI * 2); ctx.stroke();
      }
      break;
    }
    case 'airliner':
    case 'light_aircraft': {             // fixed wing
      const k = cls === 'airliner' ? 1 : 0.8;
      ctx.lineWidth = cls === 'airliner' ? 2 : 1.5;
      ctx.beginPath();
      ctx.moveTo(0, -7 * k); ctx.lineTo(0, 7 * k);
      ctx.moveTo(-7 * k, -1 * k); ctx.lineTo(7 * k, -1 * k);
      ctx.moveTo(-3 * k, 6 * k); ctx.lineTo(3 * k, 6 * k);
      ctx.stroke();
      break;
    }
    case 'fighter': {                    // delta wing
      ctx.beginPath();
      ctx.moveTo(0, -7); ctx.lineTo(6, 6); ctx.lineTo(0, 3.5); ctx.lineTo(-6, 6); ctx.closePath();
      ctx.fill();
      break;
    }
    case 'helicopter': {                 // rotary wing: a bow tie
      ctx.beginPath();
      ctx.moveTo(-7, -4.5); ctx.lineTo(0, 0); ctx.lineTo(-7, 4.5); ctx.closePath();
      ctx.moveTo(7, -4.5); ctx.lineTo(0, 0); ctx.lineTo(7, 4.5); ctx.closePath();
      ctx.fill();
      break;
    }
    case 'bird': {
      ctx.beginPath();
      ctx.moveTo(-7, 0); ctx.quadraticCurveTo(-3.5, -5, 0, 1); ctx.quadraticCurveTo(3.5, -5, 7, 0);
      ctx.stroke();
      break;
    }
    default:
      ctx.font = 'bold 12px sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('?', 0, 1);
  }
}

const cache = new Map();

// The sprite for an affiliation and class: a canvas SPRITE x SPRITE CSS pixels, drawn at
// the device pixel ratio dpr.
export function sprite(aff, cls, dpr) {
  const key = aff + '|' + cls + '|' + dpr;
  let c = cache.get(key);
  if (c) return c;
  c = document.createElement('canvas');
  c.width = c.height = Math.ceil(SPRITE * dpr);
  const ctx = c.getContext('2d');
  ctx.scale(dpr, dpr);
  ctx.translate(SPRITE / 2, SPRITE / 2);
  const a = affKey(aff);
  const kind = frameKind(a);
  // outline first at twice its width, then the fill over it: what stays visible is the
  // outer half of the stroke, the outline of the frame (and of the quatrefoil's lobes'
  // union, whose inner arcs the fill covers)
  framePath(ctx, kind);
  ctx.lineWidth = 3;
  ctx.strokeStyle = '#0b0b0b';
  if (DASHED.has(a)) ctx.setLineDash([4, 3]);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = FILL[a];
  ctx.fill();
  glyph(ctx, cls);
  cache.set(key, c);
  return c;
}

// Stamp the symbol centred on (x, y) of a context already scaled to CSS pixels.
export function drawSymbol(ctx, x, y, aff, cls, dpr) {
  const s = sprite(aff, cls, dpr);
  ctx.drawImage(s, x - SPRITE / 2, y - SPRITE / 2, SPRITE, SPRITE);
}
