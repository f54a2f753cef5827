/**
 * The Temporal Web UI's remote codec (Temporal's "Codec Server" protocol): the UI posts the payloads of
 * the history it shows, `POST /codec/decode` with `{"payloads": [...]}` (proto3 JSON: metadata values and
 * data base64), and shows what comes back. Large payloads are references into the artefact store
 * (src/payload-references.ts); here they are read back, so the UI shows reports and results instead of
 * `{"key": "payloads/…"}`. Other payloads come back as they were.
 *
 * Access: the UI calls from its own origin, so the route answers CORS preflights for the configured UI
 * origins (FINOPS_CODEC_CORS_ORIGINS). The POST is authenticated like the rest of the API. References are
 * content-addressed and may be shared between analyses, so a payload cannot be tied to one tenant: only
 * callers allowed every tenant (operators; FINOPS_AUTH=none in development) may decode.
 */
import express, { type RequestHandler, type Router } from 'express';
import type { Payload } from '@temporalio/common';
import { ENV } from '../../config';
import type { ArtefactStore } from '../../activities/store';
import { StorePayloadCodec } from '../../payload-references';
import { authenticate, callerOf, type Authenticator } from '../auth';
import { ApiError, bodyDecodeError } from '../errors';

export const CODEC_PATH = '/codec';

/** The Web UI of `temporal server start-dev` (port 8233), by either host name. */
export const DEFAULT_CODEC_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];

/** A history page's payloads, inline ones included, each at most Temporal's 2 MB. */
const MAX_CODEC_BODY = '8mb';
const MAX_PAYLOADS = 10_000;

export function codecOriginsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env[ENV.codecCorsOrigins];
  if (raw === undefined || raw.trim() === '') return DEFAULT_CODEC_ORIGINS;
  const origins = raw.split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin.replace(/\/$/, '')) {
      throw new Error(`${ENV.codecCorsOrigins}: ${JSON.stringify(origin)} is not an origin like https://temporal-ui.example.com`);
    }
  }
  return origins.map((o) => o.replace(/\/$/, ''));
}

/** JSON as the protocol sends it: proto3 JSON of Payload. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function payloadsOf(body: unknown): JsonPayload[] {
  const payloads = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads)) throw new ApiError(400, 'invalid_request', 'The body must be {"payloads": [...]}, as the Temporal Codec Server protocol sends it');
  if (payloads.length > MAX_PAYLOADS) throw new ApiError(400, 'invalid_request', `At most ${MAX_PAYLOADS} payloads a request (got ${payloads.length})`);
  payloads.forEach((p: unknown, i) => {
    const bad = (why: string) => new ApiError(400, 'invalid_request', `payloads[${i}]: ${why}`);
    if (!p || typeof p !== 'object' || Array.isArray(p)) throw bad('must be an object with metadata and data');
    const { metadata, data } = p as { metadata?: unknown; data?: unknown };
    if (data !== undefined && (typeof data !== 'string' || !BASE64.test(data))) throw bad('data must be base64');
    if (metadata !== undefined) {
      if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) throw bad('metadata must be an object of base64 strings');
      for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string' || !BASE64.test(v)) throw bad(`metadata.${k} must be base64`);
    }
  });
  return payloads as JsonPayload[];
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export function codecRouter(options: { authenticate: Authenticator; store: ArtefactStore; origins: readonly string[] }): Router {
  const codec = new StorePayloadCodec(options.store);
  const router = express.Router();
  const cors: RequestHandler = (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (origin && options.origins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization, X-Namespace, X-API-Key');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    next();
  };
  router.use(cors);
  // Browsers send preflights without credentials: they are answered before authentication.
  router.options('/decode', (_req, res) => {
    res.status(204).end();
  });
  const parse = express.json({ limit: MAX_CODEC_BODY, strict: true });
  router.post(
    '/decode',
    authenticate(options.authenticate),
    (req, res, next) => {
      if (callerOf(res).tenants !== 'all') {
        next(new ApiError(403, 'forbidden', 'Decoding Temporal payloads needs operator credentials (every tenant): a stored payload cannot be tied to one tenant'));
        return;
      }
      if (!req.is('application/json')) {
        next(new ApiError(415, 'unsupported_media_type', 'The body must be JSON with Content-Type: application/json'));
        return;
      }
      parse(req, res, (err?: unknown) => {
        if (!err) return next();
        const tooLarge = (err as { type?: unknown }).type === 'entity.too.large';
        next(tooLarge ? new ApiError(413, 'payload_too_large', `The request body is larger than the ${MAX_CODEC_BODY} limit`) : bodyDecodeError(err, req.headers['content-encoding']));
      });
    },
    async (req, res, next) => {
      try {
        const payloads = payloadsOf(req.body);
        // A reference whose object is gone (pruned, another store) is shown as it is rather than failing the page.
        const decoded = await Promise.all(
          payloads.map(async (p) => {
            const payload = fromJson(p);
            try {
              return toJson((await codec.decode([payload]))[0]!);
            } catch {
              return p;
            }
          }),
        );
        res.json({ payloads: decoded });
      } catch (err) {
        next(err);
      }
    },
  );
  router.all('/decode', (_req, _res, next) => next(new ApiError(405, 'invalid_request', 'Use POST /codec/decode')));
  return router;
}
