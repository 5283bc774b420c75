/** A minimal live line chart in SVG (no library, no CDN): one polyline, rescaled on each point. */
export class LossChart {
  private readonly values: number[] = [];
  private readonly line: SVGPolylineElement;
  private readonly label: SVGTextElement;

  constructor(private readonly svg: SVGSVGElement) {
    const ns = "http://www.w3.org/2000/svg";
    this.line = document.createElementNS(ns, "polyline");
    this.label = document.createElementNS(ns, "text");
    this.label.setAttribute("x", "8");
    this.label.setAttribute("y", "16");
    svg.append(this.line, this.label);
  }

  /** Adds a point and redraws. The values are also kept in `data-values` for tests. */
  push(value: number): void {
    this.values.push(value);
    const w = this.svg.viewBox.baseVal.width;
    const h = this.svg.viewBox.baseVal.height;
    const max = Math.max(...this.values);
    const min = Math.min(...this.values);
    const span = max - min || 1;
    const step = this.values.length > 1 ? (w - 20) / (this.values.length - 1) : 0;
    const points = this.values.map((v, i) => `${(10 + i * step).toFixed(1)},${(h - 10 - ((v - min) / span) * (h - 40)).toFixed(1)}`);
    this.line.setAttribute("points", points.join(" "));
    this.label.textContent = `loss ${value.toFixed(4)} (epoch ${this.values.length})`;
    this.svg.dataset["values"] = JSON.stringify(this.values);
  }
}
