import type uPlot from 'uplot';

/**
 * The charts of one attempt share their time axis: a drag on any of them zooms all to that span, a double-click
 * shows the whole run again, and the cursor moves on all at once (uPlot's cursor sync, under `key`).
 */
export class ZoomGroup {
  readonly key: string;
  readonly endS: number;
  #view: [number, number] | undefined;
  #charts = new Set<uPlot>();
  #onZoom: (view: [number, number] | undefined) => void;

  constructor(key: string, endS: number, onZoom: (view: [number, number] | undefined) => void = () => {}) {
    this.key = key;
    this.endS = endS;
    this.#onZoom = onZoom;
  }

  /** The x scale of a chart in the group: the zoomed span, else the whole run. */
  scale(): uPlot.Scale {
    return { time: false, auto: false, range: () => this.#view ?? [0, this.endS] };
  }

  cursor(extra: uPlot.Cursor = {}): uPlot.Cursor {
    return {
      ...extra,
      sync: { key: this.key },
      drag: { x: true, y: false, setScale: false },
      bind: {
        dblclick: () => () => {
          this.zoom(undefined);
          return null;
        },
      },
    };
  }

  hooks(): uPlot.Hooks.Arrays {
    return {
      init: [(u) => void this.#charts.add(u)],
      destroy: [(u) => void this.#charts.delete(u)],
      setSelect: [
        (u) => {
          const { left, width } = u.select;
          if (width < 3) return;
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          this.zoom([u.posToVal(left, 'x'), u.posToVal(left + width, 'x')]);
        },
      ],
    };
  }

  zoom(view: [number, number] | undefined): void {
    this.#view = view;
    const [min, max] = view ?? [0, this.endS];
    for (const chart of this.#charts) chart.setScale('x', { min, max });
    this.#onZoom(view);
  }
}

/** Concatenates uPlot hook lists, so a chart can have the group's hooks and its own. */
export function mergeHooks(...all: uPlot.Hooks.Arrays[]): uPlot.Hooks.Arrays {
  const out: Record<string, unknown[]> = {};
  for (const hooks of all) for (const [name, list] of Object.entries(hooks)) out[name] = [...(out[name] ?? []), ...(list as unknown[])];
  return out as uPlot.Hooks.Arrays;
}
