/**
 * How a waiting-room screen calls a ticket aloud: a two-note chime made with
 * Web Audio (no sound file to fetch) and, where enabled, the call spoken in the
 * screen's language by the system's speech synthesis.
 *
 * Browsers keep audio silent until someone touches the page; the Electron
 * shell lets a kiosk window play at once. A TV browser plays from its first touch.
 */
export interface CallAnnouncer {
  announce(text: string, language: string): void;
}

const NOTES = [
  { frequency: 880, at: 0 },
  { frequency: 660, at: 0.4 },
] as const;

export function soundAnnouncer({ chime = true, speech = false }: { chime?: boolean; speech?: boolean }): CallAnnouncer {
  let context: AudioContext | null = null;
  const audio = () => {
    if (typeof AudioContext === 'undefined') return null;
    context ??= new AudioContext();
    if (context.state === 'suspended') void context.resume().catch(() => undefined);
    return context;
  };
  if (chime && typeof document !== 'undefined') {
    document.addEventListener('pointerdown', () => audio(), { once: true, capture: true });
  }

  function playChime(): number {
    const ctx = audio();
    if (ctx === null) return 0;
    const start = ctx.currentTime + 0.05;
    for (const note of NOTES) {
      const oscillator = ctx.createOscillator();
      const gain = ctx.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = note.frequency;
      gain.gain.setValueAtTime(0.0001, start + note.at);
      gain.gain.exponentialRampToValueAtTime(0.35, start + note.at + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + note.at + 1.1);
      oscillator.connect(gain).connect(ctx.destination);
      oscillator.start(start + note.at);
      oscillator.stop(start + note.at + 1.2);
    }
    return 1500;
  }

  return {
    announce(text, language) {
      const after = chime ? playChime() : 0;
      if (!speech || typeof speechSynthesis === 'undefined') return;
      setTimeout(() => {
        const utterance = new SpeechSynthesisUtterance(text);
        utterance.lang = language;
        utterance.rate = 0.9;
        speechSynthesis.speak(utterance);
      }, after);
    },
  };
}
