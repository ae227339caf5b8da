// The mocks' logs (the GPIO's writes, the loudspeaker's prompts) keep the newest MOCK_LOG_KEPT
// records: a simulation left running, or the benchmark's 100,000 passages, does not grow with every
// passage (the loudspeaker's log alone once held 70 MB after 100,000 passages).
import { describe, expect, it } from 'vitest';
import { MockGpio } from '../../hardware-mocks/in-process.js';
import { MOCK_LOG_KEPT } from '../../hardware-mocks/log.js';
import { MockVoice } from '../../hardware-mocks/voice.js';

const ignore = { data: () => {}, warning: () => {}, lost: () => {} };

describe('the mocks’ logs', () => {
  it('the GPIO keeps the newest writes, oldest first', async () => {
    const gpio = new MockGpio();
    await gpio.open(ignore);
    for (let i = 0; i < MOCK_LOG_KEPT + 500; i++) gpio.write('relay', i % 2 === 0);
    expect(gpio.commands).toHaveLength(MOCK_LOG_KEPT);
    expect(gpio.commands.at(-1)?.on).toBe((MOCK_LOG_KEPT + 499) % 2 === 0);
    gpio.commands.length = 0;
    gpio.write('lampRed', true);
    expect(gpio.commands).toMatchObject([{ output: 'lampRed', on: true }]);
  });

  it('the loudspeaker keeps the newest prompts, oldest first', () => {
    const voice = new MockVoice('main');
    const say = (i: number) => voice.play({ utterance: { id: `p${i}`, lane: 'main', urgency: 1, parts: [] }, text: `第${i}`, sound: [], volume: 80 }).stop();
    for (let i = 0; i < MOCK_LOG_KEPT + 500; i++) say(i);
    expect(voice.spoken).toHaveLength(MOCK_LOG_KEPT);
    expect(voice.spoken[0]?.id).toBe('p500');
    expect(voice.spoken.at(-1)?.id).toBe(`p${MOCK_LOG_KEPT + 499}`);
  });
});
