import type uPlot from 'uplot';

/** Builds one chart into its element at the given width (CSS px); returns the chart, or undefined if it drew none. */
export type ChartBuilder = (el: HTMLElement, widthPx: number) => uPlot | undefined;

export interface ChartSlot {
  el: HTMLElement;
  build: ChartBuilder;
  chart?: uPlot;
}

/** Wall ms of chart building per frame, so the page stays responsive while a large report draws. */
const FRAME_BUDGET_MS = 12;
/** Charts measured together and then built: one layout per batch instead of one per chart. */
const BATCH = 6;

/**
 * Builds each chart once, a few per frame, those on screen (or near it) first. A slot whose element has no width yet
 * (a closed section) is skipped; its section adds it again when it opens. Built charts follow their element's width.
 */
export class ChartQueue {
  #pending: ChartSlot[] = [];
  #near = new WeakSet<Element>();
  #scheduled = false;
  #bySlotEl = new Map<Element, ChartSlot>();
  #visibility: IntersectionObserver | undefined;
  #resize: ResizeObserver | undefined;
  #onError: (error: unknown, slot: ChartSlot) => void;

  constructor(onError: (error: unknown, slot: ChartSlot) => void) {
    this.#onError = onError;
    if (typeof IntersectionObserver === 'function') {
      this.#visibility = new IntersectionObserver(
        (entries) => {
          for (const e of entries) {
            if (e.isIntersecting) this.#near.add(e.target);
            else this.#near.delete(e.target);
          }
          this.#kick();
        },
        { rootMargin: '600px 0px' },
      );
    }
    if (typeof ResizeObserver === 'function') {
      this.#resize = new ResizeObserver((entries) => {
        for (const e of entries) {
          const chart = this.#bySlotEl.get(e.target)?.chart;
          const width = Math.floor(e.contentRect.width);
          if (chart && width > 0 && Math.abs(width - chart.width) >= 1) chart.setSize({ width, height: chart.height });
        }
      });
    }
  }

  add(slot: ChartSlot): void {
    if (slot.chart || this.#pending.includes(slot)) return;
    this.#pending.push(slot);
    this.#visibility?.observe(slot.el);
    this.#kick();
  }

  #kick(): void {
    if (this.#scheduled || this.#pending.length === 0) return;
    this.#scheduled = true;
    requestAnimationFrame(() => {
      this.#scheduled = false;
      this.#drain();
    });
  }

  #drain(): void {
    const started = performance.now();
    while (this.#pending.length > 0 && performance.now() - started < FRAME_BUDGET_MS) {
      // Near the viewport first, in page order.
      const near = this.#pending.filter((s) => this.#near.has(s.el));
      const batch = (near.length > 0 ? near : this.#pending).slice(0, BATCH);
      this.#pending = this.#pending.filter((s) => !batch.includes(s));
      // All widths before any chart is added: reading a width after a DOM change lays out the whole page again.
      const widths = batch.map((s) => (s.el.isConnected ? Math.floor(s.el.clientWidth) : 0));
      batch.forEach((slot, i) => {
        this.#visibility?.unobserve(slot.el);
        if (widths[i]! > 0) this.#build(slot, widths[i]!);
      });
    }
    this.#kick();
  }

  #build(slot: ChartSlot, width: number): void {
    try {
      const chart = slot.build(slot.el, width);
      if (chart) {
        slot.chart = chart;
        this.#bySlotEl.set(slot.el, slot);
        this.#resize?.observe(slot.el);
      }
    } catch (error) {
      this.#onError(error, slot);
    }
  }
}
