/**
 * Operation routing for restJson and restXml: method + `requestUri` template. A template is a path with
 * labels (`{Bucket}`: one segment; `{Key+}`: greedy, may contain `/`) and an optional query part of
 * literals that must be present (`?uploads`, `?list-type=2`, `?select&select-type=2`). Among the matches
 * the most specific wins: all required query/header members present, then more literal path characters,
 * more query literals, more required HTTP-bound members present, not deprecated, model order.
 */
import type { WireRequest } from '../../core/wire.js';
import type { Member, OperationModel, ServiceModel } from '../../spec/model.js';

/** Where a required member is looked for: a lower-cased header name or a query parameter name. */
export interface BoundName {
  readonly header: boolean;
  readonly name: string;
}

export interface Route {
  readonly op: OperationModel;
  readonly path: RegExp;
  readonly labels: readonly { readonly name: string; readonly greedy: boolean }[];
  readonly literalChars: number;
  readonly queryLiterals: readonly (readonly [string, string | undefined])[];
  /** Required members bound to the query string or headers (`uploadId`, `x-amz-copy-source`). */
  readonly requiredBound: readonly BoundName[];
  readonly order: number;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileRoute(op: OperationModel, order: number): Route {
  const uri = op.http.requestUri;
  const q = uri.indexOf('?');
  const pathPart = q < 0 ? uri : uri.slice(0, q);
  const queryPart = q < 0 ? '' : uri.slice(q + 1);
  const labels: { name: string; greedy: boolean }[] = [];
  let pattern = '^';
  let literalChars = 0;
  let last = 0;
  const re = /\{([^}+]+)(\+?)\}/g;
  for (let m = re.exec(pathPart); m; m = re.exec(pathPart)) {
    const lit = pathPart.slice(last, m.index);
    pattern += escapeRegex(lit);
    literalChars += lit.length;
    const greedy = m[2] === '+';
    labels.push({ name: m[1], greedy });
    pattern += greedy ? '(.+)' : '([^/]+)';
    last = m.index + m[0].length;
  }
  const tail = pathPart.slice(last);
  pattern += `${escapeRegex(tail)}$`;
  literalChars += tail.length;
  const queryLiterals = queryPart
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? ([p, undefined] as const) : ([p.slice(0, eq), p.slice(eq + 1)] as const);
    });
  const requiredBound: BoundName[] = [];
  const input = op.input;
  if (input) {
    for (const name of input.requiredSet) {
      const m: Member | undefined = input.members[name];
      if (m?.location === 'header') requiredBound.push({ header: true, name: (m.locationName ?? m.name).toLowerCase() });
      else if (m?.location === 'querystring') requiredBound.push({ header: false, name: m.locationName ?? m.name });
    }
  }
  return { op, path: new RegExp(pattern), labels, literalChars, queryLiterals, requiredBound, order };
}

/** Routes grouped by HTTP method, compiled once per model. */
export function routesOf(model: ServiceModel): ReadonlyMap<string, readonly Route[]> {
  return model.cache.get(model, 'rest.routes', () => {
    const byMethod = new Map<string, Route[]>();
    let order = 0;
    for (const op of Object.values(model.operations)) {
      const r = compileRoute(op, order++);
      const method = op.http.method.toUpperCase();
      const list = byMethod.get(method);
      if (list) list.push(r);
      else byMethod.set(method, [r]);
    }
    return byMethod;
  });
}

function hasQuery(req: WireRequest, key: string, value: string | undefined): boolean {
  for (const [k, v] of req.query) if (k === key && (value === undefined || v === value)) return true;
  return false;
}

function boundPresent(req: WireRequest, b: BoundName): boolean {
  return b.header ? req.headers[b.name] !== undefined : hasQuery(req, b.name, undefined);
}

function queryLiteralsPresent(req: WireRequest, route: Route): boolean {
  for (const [k, v] of route.queryLiterals) if (!hasQuery(req, k, v)) return false;
  return true;
}

function matchPath(route: Route, path: string): RegExpExecArray | null {
  return route.path.exec(path) ?? (path.length > 1 && path.endsWith('/') ? route.path.exec(path.slice(0, -1)) : null);
}

function pathMatches(route: Route, path: string): boolean {
  return route.path.test(path) || (path.length > 1 && path.endsWith('/') && route.path.test(path.slice(0, -1)));
}

/**
 * Routes of one method from most to least specific. Among routes whose required HTTP-bound members are
 * all present, the first in this order is the best (for those, "present" equals `requiredBound.length`).
 */
function byMethod(model: ServiceModel, method: string): readonly Route[] | undefined {
  const routes = routesOf(model).get(method);
  if (!routes) return undefined;
  return model.cache.get(routes, 'rest.sorted', () =>
    [...routes].sort(
      (a, b) =>
        b.literalChars - a.literalChars ||
        b.queryLiterals.length - a.queryLiterals.length ||
        b.requiredBound.length - a.requiredBound.length ||
        Number(a.op.deprecated) - Number(b.op.deprecated) ||
        a.order - b.order,
    ),
  );
}

/** The best route for a request, or undefined. */
export function matchRoute(req: WireRequest, model: ServiceModel): Route | undefined {
  const routes = byMethod(model, req.method.toUpperCase());
  if (!routes) return undefined;
  let fallback: Route | undefined;
  let fallbackPresent = -1;
  for (const route of routes) {
    if (route.queryLiterals.length > 0 && !queryLiteralsPresent(req, route)) continue;
    if (!pathMatches(route, req.rawPath)) continue;
    let present = 0;
    for (const m of route.requiredBound) if (boundPresent(req, m)) present++;
    if (present === route.requiredBound.length) return route;
    // Not viable (a required query/header member is missing): remembered in case nothing else matches,
    // so that validation can name the missing member.
    if (!fallback || (present > fallbackPresent && route.literalChars === fallback.literalChars)) {
      fallback = route;
      fallbackPresent = present;
    }
  }
  return fallback;
}

/** Label values of a request for a route, percent-decoded (greedy labels keep their `/`). */
export function routeLabels(route: Route, req: WireRequest): Record<string, string> {
  const m = matchPath(route, req.rawPath);
  const out: Record<string, string> = {};
  if (!m) return out;
  route.labels.forEach((l, i) => {
    const raw = m[i + 1];
    try {
      out[l.name] = decodeURIComponent(raw);
    } catch {
      out[l.name] = raw;
    }
  });
  return out;
}

export function routeFor(model: ServiceModel, op: OperationModel): Route {
  const routes = routesOf(model).get(op.http.method.toUpperCase()) ?? [];
  const r = routes.find((x) => x.op === op);
  if (!r) throw new Error(`no route for ${op.name}`);
  return r;
}
