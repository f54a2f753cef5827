/**
 * Prices from the AWS Price List Query API (GetProducts), for the checks' savings. Each activity reads
 * the prices it needs — one call covers a region's instance types (ANY_OF, up to 100 products a page),
 * another its EBS storage, snapshot and IOPS prices — and keeps them in a PriceBook for its own use.
 * Prices are never shared between activities: what an analysis asks of AWS must not depend on what
 * another activity happened to cache, or its request counts would change from run to run.
 */
import { GetProductsCommand, type Filter } from '@aws-sdk/client-pricing';
import { parsePriceListDocument, pricePointOf, productKey, type PriceBook } from '../../domain/pricing';
import { countRequest, type AwsUsage } from '../../domain/usage';
import type { AwsClientFactory } from '../aws-clients';
import { toActivityFailure } from '../aws-errors';
import { currentActivity, heartbeat, requestOptions } from '../paging';

/** Instance types per ANY_OF filter (the value is one comma-separated string). */
const TYPES_PER_CALL = 60;

export class PriceReader {
  readonly book: PriceBook = {};
  private readonly asked = new Set<string>();

  constructor(
    private readonly clients: AwsClientFactory,
    private readonly usage: AwsUsage,
  ) {}

  /** Every product matching the filters, paged, classified into the book. */
  async products(serviceCode: string, filters: Filter[]): Promise<void> {
    const signature = JSON.stringify([serviceCode, filters]);
    if (this.asked.has(signature)) return;
    this.asked.add(signature);
    const ctx = currentActivity();
    let nextToken: string | undefined;
    do {
      heartbeat(ctx);
      let page;
      try {
        page = await this.clients.pricing().send(
          new GetProductsCommand({
            ServiceCode: serviceCode,
            Filters: filters,
            FormatVersion: 'aws_v1',
            MaxResults: 100,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
          requestOptions(ctx),
        );
      } catch (err) {
        throw toActivityFailure(err, 'pricing:GetProducts');
      }
      countRequest(this.usage, 'pricing:GetProducts');
      // Each entry is a JSON string on the wire; newer SDKs may type (or hand over) it as parsed JSON.
      const list: unknown[] = Array.isArray(page.PriceList) ? (page.PriceList as unknown[]) : [];
      for (const document of list) {
        const product = parsePriceListDocument(documentText(document));
        const key = product ? productKey(product) : undefined;
        if (product && key) this.book[key] = pricePointOf(product);
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }

  /** On-demand prices of instance types in a region (shared tenancy, no pre-installed software). */
  async instanceTypes(region: string, types: Iterable<string>, os: 'Linux' | 'Windows' = 'Linux'): Promise<void> {
    const sorted = [...new Set(types)].sort();
    for (let i = 0; i < sorted.length; i += TYPES_PER_CALL) {
      await this.products('AmazonEC2', [
        term('regionCode', region),
        { Type: 'ANY_OF', Field: 'instanceType', Value: sorted.slice(i, i + TYPES_PER_CALL).join(',') },
        term('operatingSystem', os),
        term('tenancy', 'Shared'),
        term('preInstalledSw', 'NA'),
        term('capacitystatus', 'Used'),
      ]);
    }
  }

  /** EBS storage, IOPS, throughput and snapshot prices of a region. */
  async blockStorage(region: string): Promise<void> {
    await this.products('AmazonEC2', [
      term('regionCode', region),
      { Type: 'ANY_OF', Field: 'productFamily', Value: 'Storage,System Operation,Provisioned Throughput,Storage Snapshot' },
    ]);
  }

  /** The idle public IPv4 address price of a region. */
  async publicIpv4(region: string): Promise<void> {
    await this.products('AmazonVPC', [term('regionCode', region), term('productFamily', 'VPC Public IPv4 Address')]);
  }

  /** DB instance prices (both deployments) and storage and IOPS prices of a region. */
  async databases(region: string, classes: Iterable<string>, engines: Iterable<string>): Promise<void> {
    const sorted = [...new Set(classes)].sort();
    const engineList = [...new Set(engines)].sort();
    for (let i = 0; i < sorted.length; i += TYPES_PER_CALL) {
      await this.products('AmazonRDS', [
        term('regionCode', region),
        term('productFamily', 'Database Instance'),
        { Type: 'ANY_OF', Field: 'instanceType', Value: sorted.slice(i, i + TYPES_PER_CALL).join(',') },
        ...(engineList.length ? [{ Type: 'ANY_OF' as const, Field: 'databaseEngine', Value: engineList.join(',') }] : []),
      ]);
    }
    await this.products('AmazonRDS', [
      term('regionCode', region),
      { Type: 'ANY_OF', Field: 'productFamily', Value: 'Database Storage,Provisioned IOPS' },
    ]);
  }
}

/** A PriceList entry as JSON text: a string, a String-like wrapper (the SDK's lazy JSON string), or parsed JSON. */
function documentText(document: unknown): string {
  if (typeof document === 'string') return document;
  if (document instanceof String) return document.toString();
  if (document && typeof document === 'object' && 'product' in document) return JSON.stringify(document);
  return String(document);
}

function term(field: string, value: string): Filter {
  return { Type: 'TERM_MATCH', Field: field, Value: value };
}
