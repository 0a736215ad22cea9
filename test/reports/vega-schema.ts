import AjvModule from 'ajv';
import { vegaLiteSchema } from '../../reports/render/vega-assets';

// ajv is CommonJS; its default export arrives wrapped under ESM.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as unknown as new (
  options: Record<string, unknown>,
) => {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown[] | null };
  addFormat(name: string, format: RegExp | true): void;
};

/** A validator for Vega-Lite specs against the installed vega-lite's own JSON schema. */
export function vegaLiteValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true });
  ajv.addFormat('color-hex', /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i);
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:/i);
  ajv.addFormat('uri-reference', true);
  const validate = ajv.compile(vegaLiteSchema());
  return (spec: unknown): string[] => (validate(spec) ? [] : (validate.errors ?? []).slice(0, 5).map((e) => JSON.stringify(e)));
}
