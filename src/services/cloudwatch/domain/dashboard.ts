/**
 * Dashboard body validation as PutDashboard does it: the body must be a JSON object with a `widgets` array; each
 * widget an object with a known `type`, integer layout fields within the 24-column grid, and the properties its
 * type needs. Problems come back as DashboardValidationMessages (DataPath + Message).
 */
export interface ValidationMessage {
  readonly DataPath: string;
  readonly Message: string;
}

const TYPES = new Set(['metric', 'text', 'log', 'alarm', 'explorer', 'custom']);

export type BodyCheck = { readonly ok: true } | { readonly ok: false; readonly notJson: boolean; readonly messages: ValidationMessage[] };

export function validateDashboardBody(body: string): BodyCheck {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return { ok: false, notJson: true, messages: [] };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, notJson: true, messages: [] };
  const messages: ValidationMessage[] = [];
  const widgets = (doc as { widgets?: unknown }).widgets;
  if (widgets === undefined) messages.push({ DataPath: '/', Message: "Should have required property 'widgets'" });
  else if (!Array.isArray(widgets)) messages.push({ DataPath: '/widgets', Message: 'Should be array' });
  else {
    widgets.forEach((w: unknown, i) => {
      const path = `/widgets/${i}`;
      if (w === null || typeof w !== 'object' || Array.isArray(w)) {
        messages.push({ DataPath: path, Message: 'Should be object' });
        return;
      }
      const widget = w as Record<string, unknown>;
      if (widget.type === undefined) messages.push({ DataPath: path, Message: "Should have required property 'type'" });
      else if (typeof widget.type !== 'string' || !TYPES.has(widget.type)) {
        messages.push({ DataPath: `${path}/type`, Message: `Should be equal to one of the allowed values: ${[...TYPES].join(', ')}` });
      }
      for (const [k, max] of [['x', 23], ['y', undefined], ['width', 24], ['height', 1000]] as const) {
        const v = widget[k];
        if (v === undefined) continue;
        if (typeof v !== 'number' || !Number.isInteger(v)) messages.push({ DataPath: `${path}/${k}`, Message: 'Should be integer' });
        else if (v < (k === 'width' || k === 'height' ? 1 : 0)) messages.push({ DataPath: `${path}/${k}`, Message: `Should be >= ${k === 'width' || k === 'height' ? 1 : 0}` });
        else if (max !== undefined && v > max) messages.push({ DataPath: `${path}/${k}`, Message: `Should be <= ${max}` });
      }
      const props = widget.properties;
      if (widget.type === 'text' && (props === null || typeof props !== 'object' || typeof (props as { markdown?: unknown }).markdown !== 'string')) {
        messages.push({ DataPath: `${path}/properties`, Message: "Should have required property 'markdown'" });
      }
      if (widget.type === 'metric') {
        const p = props as { metrics?: unknown; annotations?: unknown } | undefined;
        if (p === null || typeof p !== 'object') messages.push({ DataPath: path, Message: "Should have required property 'properties'" });
        else if (p.metrics === undefined && p.annotations === undefined) messages.push({ DataPath: `${path}/properties`, Message: "Should have required property 'metrics'" });
        else if (p.metrics !== undefined && !Array.isArray(p.metrics)) messages.push({ DataPath: `${path}/properties/metrics`, Message: 'Should be array' });
      }
    });
  }
  return messages.length ? { ok: false, notJson: false, messages } : { ok: true };
}
