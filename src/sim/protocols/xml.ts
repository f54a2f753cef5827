/**
 * XML documents for the simulator's XML protocols (ec2Query, awsQuery, restXml).
 *
 * An `XmlNode` is fast-xml-parser's object form: keys are element names in document order, arrays
 * repeat an element (`{ item: [a, b] }` is `<item>a</item><item>b</item>`), `@_name` keys are
 * attributes and `#text` is text beside attributes. `undefined` members are left out; an empty
 * string or an empty object gives an empty element (`<groupSet/>`), which is how AWS writes an empty
 * list (`xmlList`).
 *
 * The writer is our own rather than fast-xml-parser's XMLBuilder: a DescribeInstances page of 1,000
 * instances is the simulator's largest document, and the builder's per-value entity regexes made
 * serialising it cost more than answering the request (test/sim/xml-wire.test.ts pins the output).
 */

export type XmlScalar = string | number | boolean;
export type XmlValue = XmlScalar | XmlNode | XmlValue[] | undefined;
export interface XmlNode {
  [name: string]: XmlValue;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const NEEDS_ESCAPE = /[&<>"']/;
const ESCAPE_ALL = /[&<>"']/g;

function escapeXml(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_ALL, (c) => ESCAPES[c] as string) : text;
}

/** Attributes and `#text` hold scalars only. */
function scalarText(value: XmlValue, key: string): string {
  if (typeof value === 'object') throw new Error(`XML ${key} must be a string, number or boolean`);
  return String(value);
}

/** Append `<name ...>value</name>` (or `<name/>`) to `out`. */
function writeElement(out: string[], name: string, value: XmlValue | null): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) writeElement(out, name, item);
    return;
  }
  if (value === null || value === '') {
    out.push(`<${name}/>`);
    return;
  }
  if (typeof value !== 'object') {
    out.push(`<${name}>${escapeXml(String(value))}</${name}>`);
    return;
  }
  let attributes = '';
  const body: string[] = [];
  for (const key of Object.keys(value)) {
    const member = value[key];
    if (member === undefined) continue;
    if (key.startsWith('@_')) attributes += ` ${key.slice(2)}="${escapeXml(scalarText(member, key))}"`;
    else if (key === '#text') body.push(escapeXml(scalarText(member, key)));
    else writeElement(body, key, member);
  }
  const content = body.join('');
  out.push(content === '' ? `<${name}${attributes}/>` : `<${name}${attributes}>${content}</${name}>`);
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** A complete document: the XML declaration and one root element (with `xmlns` when given). */
export function xmlDocument(root: string, content: XmlNode | string, namespace?: string): string {
  const element: XmlNode = typeof content === 'string' ? (content === '' ? {} : { '#text': content }) : { ...content };
  const withNamespace: XmlNode = namespace === undefined ? element : { '@_xmlns': namespace, ...element };
  const out: string[] = [DECLARATION];
  writeElement(out, root, withNamespace);
  return out.join('');
}

/** A list as AWS writes it: one `member` element per entry (`<item>` for EC2), or an empty element. */
export function xmlList<T>(items: readonly T[], memberName: string, toXml: (item: T) => XmlValue): XmlNode | '' {
  if (items.length === 0) return '';
  return { [memberName]: items.map(toXml) };
}

/** Timestamps as the XML protocols write them: ISO 8601 UTC with milliseconds. */
export function xmlTimestamp(value: string | Date): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new Error(`not a timestamp: ${String(value)}`);
  return date.toISOString();
}
