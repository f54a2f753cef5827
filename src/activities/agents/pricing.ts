/**
 * Prices from the AWS Price List Query API (GetProducts), for the checks' savings. Each activity reads
 * the prices it needs — one call covers a region's instance types (ANY_OF, up to 100 products a page),
 * another its EBS storage, snapshot and IOPS prices — and keeps them in a PriceBook for its own use.
 *
 * Identical queries of one analysis are made once per worker process (PriceQueries): every account's
 * activity in a Region asks the same EBS, IPv4 and RDS storage questions, and the Price List API is
 * slow and tightly rate-limited. Only identical queries are shared — never "the types someone else
 * happened to price already" — so an analysis's requests do not depend on which activity ran first.
 */
import { GetProductsCommand, type Filter } from '@aws-sdk/client-pricing';
import { parsePriceListDocument, pricePointOf, productKey, type PriceBook } from '../../domain/pricing';
import { countRequest, type AwsUsage } from '../../domain/usage';
import type { AwsClientFactory } from '../aws-clients';
import { toActivityFailure } from '../aws-errors';
import { currentActivity, heartbeat, requestOptions, whileHeartbeating } from '../paging';
import { SharedRequests } from '../shared-requests';

/** Instance types per ANY_OF filter (the value is one comma-separated string). */
const TYPES_PER_CALL = 60;

/** One analysis's price queries, shared by its activities in this worker (see the module comment). */
export class PriceQueries {
  private readonly shared = new SharedRequests({ max: 2_000, ttlMs: 10 * 60_000 });

  run(analysisId: string, signature: string, query: () => Promise<PriceBook>): Promise<PriceBook> {
    return this.shared.run(JSON.stringify([analysisId, signature]), query).then((r) => r.value);
  }
}

export class PriceReader {
  readonly book: PriceBook = {};
  private readonly asked = new Set<string>();

  constructor(
    private readonly clients: AwsClientFactory,
    private readonly usage: AwsUsage,
    /** Shares identical queries with the analysis's other activities (default: this reader's own). */
    private readonly sharing?: { queries: PriceQueries; analysisId: string },
  ) {}

  /** Every product matching the filters, paged, classified into the book. */
  async products(serviceCode: string, filters: Filter[]): Promise<void> {
    const signature = JSON.stringify([serviceCode, filters]);
    if (this.asked.has(signature)) return;
    this.asked.add(signature);
    // The requests are counted in the usage of the activity that makes them; a reader that reuses counts none.
    const found = this.sharing
      ? await whileHeartbeating(this.sharing.queries.run(this.sharing.analysisId, signature, () => this.query(serviceCode, filters)))
      : await this.query(serviceCode, filters);
    Object.assign(this.book, found);
  }

  private async query(serviceCode: string, filters: Filter[]): Promise<PriceBook> {
    const book: PriceBook = {};
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
        if (product && key) book[key] = pricePointOf(product);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return book;
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
