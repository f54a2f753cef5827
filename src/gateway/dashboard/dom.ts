/**
 * A tiny DOM builder. Everything that comes from the gateway (account data above all: resource names,
 * tag keys and values, service names) becomes text nodes or attribute values, never markup: there is no
 * innerHTML anywhere in the dashboard, and the Content-Security-Policy forbids inline script besides.
 */
export type Child = Node | string | number | null | undefined | false | Child[];

export interface Props {
  class?: string;
  id?: string;
  title?: string;
  role?: string;
  href?: string;
  type?: string;
  name?: string;
  value?: string;
  placeholder?: string;
  for?: string;
  checked?: boolean;
  disabled?: boolean;
  hidden?: boolean;
  required?: boolean;
  download?: string;
  data?: Record<string, string | number>;
  aria?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
  attrs?: Record<string, string>;
}

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
    return;
  }
  parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
}

/** Only same-origin paths, fragments and blob: URLs become links. */
function safeHref(href: string): string {
  return /^(\/(?!\/)|#|blob:)/.test(href) ? href : '#';
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.id) el.id = props.id;
  if (props.title) el.title = props.title;
  if (props.role) el.setAttribute('role', props.role);
  if (props.href !== undefined) el.setAttribute('href', safeHref(props.href));
  if (props.type) el.setAttribute('type', props.type);
  if (props.name) el.setAttribute('name', props.name);
  if (props.value !== undefined) (el as HTMLInputElement).value = props.value;
  if (props.placeholder) el.setAttribute('placeholder', props.placeholder);
  if (props.for) el.setAttribute('for', props.for);
  if (props.checked) (el as HTMLInputElement).checked = true;
  if (props.disabled) (el as HTMLButtonElement).disabled = true;
  if (props.hidden) el.hidden = true;
  if (props.required) el.setAttribute('required', '');
  if (props.download !== undefined) el.setAttribute('download', props.download);
  for (const [k, v] of Object.entries(props.data ?? {})) el.dataset[k] = String(v);
  for (const [k, v] of Object.entries(props.aria ?? {})) el.setAttribute(`aria-${k}`, v);
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  for (const [event, handler] of Object.entries(props.on ?? {})) el.addEventListener(event, handler as EventListener);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

export function clear(el: Element): void {
  el.replaceChildren();
}

export function mount(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** Element by id, or a clear error (a missing element is a bug in index.html). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: #${id} is missing from index.html`);
  return el as T;
}
