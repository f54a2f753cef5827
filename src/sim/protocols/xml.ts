/**
 * XML documents for the simulator's XML protocols (ec2Query, awsQuery, restXml), built with
 * fast-xml-parser's XMLBuilder.
 *
 * An `XmlNode` is fast-xml-parser's object form: keys are element names in document order, arrays
 * repeat an element (`{ item: [a, b] }` is `<item>a</item><item>b</item>`), `@_name` keys are
 * attributes and `#text` is text beside attributes. `undefined` members are left out; an empty
 * string, an empty object or an empty array gives an empty element (`<groupSet/>`), which is how
 * AWS writes an empty list.
 */
import { XMLBuilder } from 'fast-xml-parser';

export type XmlScalar = string | number | boolean;
export type XmlValue = XmlScalar | XmlNode | XmlValue[] | undefined;
export interface XmlNode {
  [name: string]: XmlValue;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  processEntities: true,
  format: false,
});

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** A complete document: the XML declaration and one root element (with `xmlns` when given). */
export function xmlDocument(root: string, content: XmlNode | string, namespace?: string): string {
  const element: XmlNode = typeof content === 'string' ? (content === '' ? {} : { '#text': content }) : { ...content };
  const withNamespace: XmlNode = namespace === undefined ? element : { '@_xmlns': namespace, ...element };
  return DECLARATION + String(builder.build({ [root]: withNamespace }));
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
