// The alarm: while any critical alert is unacknowledged, every open screen shows a red banner and
// beeps every 2 s (Web Audio, no sound file), until someone acknowledges it.
import { h, ic, S, tr } from './core.js';

const state = { sounding: false, beeps: 0, timer: null, ctx: null };
window.officeAlarm = state;

function beep() {
  try {
    state.ctx ??= new AudioContext();
    const ctx = state.ctx;
    if (ctx.state === 'suspended') void ctx.resume();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = 880;
    gain.gain.value = 0.15;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.35);
    state.beeps++;
  } catch {
    // No audio device: the banner still shows.
  }
}

export function setAlarm(count, goToAlerts) {
  S.unackedCritical = count;
  const el = document.getElementById('alarm');
  el.replaceChildren();
  if (count > 0) {
    el.append(ic('bell'), h('span', { 'data-testid': 'alarm-text' }, tr(`危急告警未确认：${count} 条`, `Unacknowledged critical alerts: ${count}`)), h('button', { type: 'button', onclick: goToAlerts }, tr('去处理', 'Handle now')));
    el.hidden = false;
    if (!state.sounding) {
      state.sounding = true;
      beep();
      state.timer = setInterval(beep, 2000);
    }
  } else {
    el.hidden = true;
    state.sounding = false;
    clearInterval(state.timer);
    state.timer = null;
  }
}
