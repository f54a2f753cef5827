/**
 * The AWS Price List Query API's GetProducts (awsJson1_1, X-Amz-Target AWSPriceListService.GetProducts)
 * over the scenario's price list: the prices every bill and saving in the sample account is computed
 * from.
 *
 * Input as AWS takes it: ServiceCode, Filters (Type TERM_MATCH, EQUALS, CONTAINS, ANY_OF or NONE_OF;
 * Field an attribute name such as instanceType, location, regionCode, operatingSystem, volumeApiName,
 * databaseEngine, deploymentOption — matched case-insensitively — or productFamily/sku; Value; ANY_OF
 * and NONE_OF take comma-separated values), FormatVersion aws_v1, MaxResults 1–100 (default 100),
 * NextToken. PriceList is an array of JSON *strings*, each a product with its OnDemand term:
 * terms.OnDemand.<sku>.<offerTermCode>.priceDimensions.<rateCode>.pricePerUnit.USD.
 * Spot prices are not Pricing API products and are not listed.
 */
import { createHash } from 'node:crypto';
import { AwsError, validationError } from '../errors';
import { catalogueSpecs, completePriceList } from '../generator/prices';
import type { PriceEntry } from '../model';
import type { JsonObject, JsonServiceDefinition } from '../protocols/json';
import type { Scenario } from '../scenario';
import { readList, readObject, readString } from './ce-input';

export const PRICING_TARGET_PREFIX = 'AWSPriceListService';
/** AWS's offer term code for on-demand prices and the rate code suffix of their price dimension. */
export const ON_DEMAND_TERM = 'JRTCKXETXF';
const RATE_CODE = '6YS6EN2CT7';
const FILTER_TYPES = ['TERM_MATCH', 'EQUALS', 'CONTAINS', 'ANY_OF', 'NONE_OF'];
/** Service codes the Price List API knows beyond the scenario's (they answer with no products). */
const KNOWN_SERVICE_CODES = [
  'AmazonEC2',
  'AmazonRDS',
  'AmazonS3',
  'AmazonCloudWatch',
  'AmazonVPC',
  'AWSDataTransfer',
  'AmazonElastiCache',
  'AWSLambda',
  'AmazonDynamoDB',
  'AmazonEKS',
  'AmazonECS',
];

function describe(entry: PriceEntry): string {
  const a = entry.attributes;
  const price = `$${Number(entry.pricePerUnit)}`;
  if (a['instanceType'] && entry.serviceCode === 'AmazonEC2')
    return `${price} per On Demand ${a['operatingSystem'] ?? 'Linux'} ${a['instanceType']} Instance Hour`;
  if (a['instanceType'])
    return `${price} per ${a['deploymentOption'] ?? ''} ${a['instanceType']} instance hour (or partial hour) running ${a['databaseEngine'] ?? ''}`.replace(
      /\s+/g,
      ' ',
    );
  return `${price} per ${entry.unit} for ${a['usagetype'] ?? entry.productFamily} in ${a['location'] ?? a['regionCode'] ?? ''}`;
}

/** The Price List JSON document of one entry. */
export function priceListDocument(entry: PriceEntry, publicationDate: string): string {
  const termKey = `${entry.sku}.${ON_DEMAND_TERM}`;
  const rateCode = `${termKey}.${RATE_CODE}`;
  return JSON.stringify({
    product: { productFamily: entry.productFamily, attributes: entry.attributes, sku: entry.sku },
    serviceCode: entry.serviceCode,
    terms: {
      OnDemand: {
        [termKey]: {
          priceDimensions: {
            [rateCode]: {
              unit: entry.unit,
              endRange: 'Inf',
              description: describe(entry),
              appliesTo: [],
              rateCode,
              beginRange: '0',
              pricePerUnit: { USD: Number(entry.pricePerUnit).toFixed(10) },
            },
          },
          sku: entry.sku,
          effectiveDate: publicationDate,
          offerTermCode: ON_DEMAND_TERM,
          termAttributes: {},
        },
      },
    },
    version: publicationDate.replace(/[-:TZ]/g, '').slice(0, 14),
    publicationDate,
  });
}

function fieldValue(entry: PriceEntry, field: string): string | undefined {
  const lower = field.toLowerCase();
  if (lower === 'productfamily') return entry.productFamily;
  if (lower === 'sku') return entry.sku;
  if (lower === 'servicecode') return entry.serviceCode;
  for (const [key, value] of Object.entries(entry.attributes)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/**
 * What GetProducts serves: the scenario's own prices (they win), then the rest of the catalogue in
 * every Region the simulator serves, as the Pricing API serves its whole catalogue. Built once per
 * scenario, on the first request.
 */
const served = new WeakMap<Scenario, PriceEntry[]>();
function servedPrices(scenario: Scenario): PriceEntry[] {
  let list = served.get(scenario);
  if (!list) {
    list = completePriceList(catalogueSpecs(), scenario.prices);
    served.set(scenario, list);
  }
  return list;
}

export function getProducts(scenario: Scenario, input: JsonObject): unknown {
  const serviceCode = readString(input['ServiceCode'], 'ServiceCode');
  if (serviceCode === undefined)
    throw validationError(
      `1 validation error detected: Value null at 'serviceCode' failed to satisfy constraint: Member must not be null`,
    );
  const format = readString(input['FormatVersion'], 'FormatVersion') ?? 'aws_v1';
  if (format !== 'aws_v1')
    throw new AwsError('InvalidParameterException', `FormatVersion ${format} is not supported; use aws_v1.`, 400);
  const maxResultsInput = input['MaxResults'];
  const maxResults = maxResultsInput === undefined || maxResultsInput === null ? 100 : maxResultsInput;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
    throw validationError(
      `1 validation error detected: Value '${JSON.stringify(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`,
    );
  }
  const entries = servedPrices(scenario).filter((p) => p.serviceCode === serviceCode && p.attributes['marketoption'] !== 'Spot');
  if (entries.length === 0 && !KNOWN_SERVICE_CODES.includes(serviceCode)) {
    throw new AwsError('NotFoundException', `Service code ${serviceCode} is not found.`, 400);
  }
  const filters = (readList(input['Filters'], 'Filters') ?? []).map((item, i) => {
    const filter = readObject(item, `Filters.${i + 1}`) ?? {};
    const type = readString(filter['Type'], `Filters.${i + 1}.Type`) ?? '';
    const field = readString(filter['Field'], `Filters.${i + 1}.Field`);
    const value = readString(filter['Value'], `Filters.${i + 1}.Value`);
    if (!FILTER_TYPES.includes(type)) {
      throw validationError(
        `1 validation error detected: Value '${type}' at 'filters.${i + 1}.member.type' failed to satisfy constraint: Member must satisfy enum value set: [${FILTER_TYPES.join(', ')}]`,
      );
    }
    if (field === undefined || value === undefined) throw validationError(`Filter ${i + 1} needs both Field and Value.`);
    const values = value.split(',').map((v) => v.trim());
    return (entry: PriceEntry): boolean => {
      const actual = fieldValue(entry, field);
      switch (type) {
        case 'CONTAINS':
          return actual !== undefined && actual.includes(value);
        case 'ANY_OF':
          return actual !== undefined && values.includes(actual);
        case 'NONE_OF':
          return actual === undefined || !values.includes(actual);
        default:
          return actual === value;
      }
    };
  });
  const matching = entries.filter((e) => filters.every((f) => f(e))).sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([serviceCode, input['Filters'] ?? null]))
    .digest('hex')
    .slice(0, 16);
  const token = readString(input['NextToken'], 'NextToken');
  let offset = 0;
  if (token !== undefined) {
    const match = /^([0-9a-f]{16}):(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!match || match[1] !== fingerprint || Number(match[2]) > matching.length) {
      throw new AwsError(
        'InvalidNextTokenException',
        'The pagination token is invalid. Try again without a pagination token.',
        400,
      );
    }
    offset = Number(match[2]);
  }
  const slice = matching.slice(offset, offset + maxResults);
  const publicationDate = `${scenario.anchorDate.slice(0, 8)}01T00:00:00Z`;
  const next = offset + slice.length;
  return {
    FormatVersion: 'aws_v1',
    PriceList: slice.map((e) => priceListDocument(e, publicationDate)),
    ...(next < matching.length ? { NextToken: Buffer.from(`${fingerprint}:${next}`).toString('base64url') } : {}),
  };
}

export function pricingService(scenario: Scenario): JsonServiceDefinition {
  return {
    targetPrefix: PRICING_TARGET_PREFIX,
    signingName: 'pricing',
    title: 'AWS Price List Service',
    jsonVersion: '1.1',
    operations: {
      GetProducts: (input) => getProducts(scenario, input),
    },
  };
}
