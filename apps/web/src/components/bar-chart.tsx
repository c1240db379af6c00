import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartData,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { createEffect, on, onCleanup, onMount } from "solid-js";

// Only the parts bar and line charts need, so the bundle carries no other chart types. The Reports page, the one
// page that draws charts, is loaded lazily: Chart.js reaches no other screen's bundle.
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale);
Chart.register(Tooltip, Legend);

export interface BarSeries {
  label: string;
  values: number[];
  color: string;
}

/** A canvas with its chart, as the wrapper leaves it on the element (tests find a bar's position through it). */
export type ChartCanvas = HTMLCanvasElement & { chart?: Chart<"bar" | "line"> };

/**
 * Bars (or, `line`, points joined by a line: a time series) drawn by Chart.js on a canvas: created on mount, updated
 * in place when the data change, destroyed on cleanup. A click on a bar or point calls `onBarClick` with its series
 * and its index among `labels`. Assistive technology reads the canvas as one image: every chart goes with a table of
 * the same figures and the same buttons.
 */
export function BarChart(props: {
  labels: string[];
  series: BarSeries[];
  stacked?: boolean;
  line?: boolean;
  /** What the chart shows, for the canvas's fallback text. */
  label: string;
  onBarClick?: (bar: { seriesIndex: number; index: number }) => void;
}) {
  let canvas!: ChartCanvas;
  let chart: Chart<"bar" | "line"> | undefined;
  const data = (): ChartData<"bar" | "line"> => ({
    labels: props.labels,
    datasets: props.series.map((series) => ({
      label: series.label,
      data: series.values,
      backgroundColor: series.color,
      borderColor: series.color,
      maxBarThickness: 48,
      pointRadius: 4,
      pointHoverRadius: 6,
    })),
  });
  onMount(() => {
    chart = new Chart<"bar" | "line">(canvas, {
      type: props.line ? "line" : "bar",
      data: data(),
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: props.stacked ?? false, grid: { display: false } },
          y: { stacked: props.stacked ?? false, beginAtZero: true, ticks: { precision: 0 } },
        },
        plugins: { legend: { display: props.series.length > 1, position: "bottom" } },
        // A point is clicked where it is nearest along the time axis.
        interaction: props.line ? { mode: "nearest", axis: "x", intersect: false } : undefined,
        onClick: (event, elements) => {
          const bar = elements[0];
          if (bar && event.native) props.onBarClick?.({ seriesIndex: bar.datasetIndex, index: bar.index });
        },
        onHover: (event, elements) => {
          if (event.native?.target instanceof HTMLElement) {
            event.native.target.style.cursor = elements.length > 0 && props.onBarClick ? "pointer" : "default";
          }
        },
      },
    });
    canvas.chart = chart;
  });
  createEffect(
    on(
      data,
      (next) => {
        if (!chart) return;
        chart.data = next;
        chart.update();
      },
      { defer: true },
    ),
  );
  onCleanup(() => {
    chart?.destroy();
    chart = undefined;
    canvas.chart = undefined;
  });
  return (
    <div class="bar-chart">
      <canvas ref={canvas} role="img" aria-label={`${props.label} (chart; its table lists the same figures)`} />
    </div>
  );
}
