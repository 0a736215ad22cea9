import { z } from 'zod';
import { leadSources } from '../../db/schema/enums';

// What a lead is made of when it comes in from a form, a tool or a CSV file.

const optionalText = (max = 200) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters`)
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .optional();

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'at most 254 characters')
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'not an e-mail address');

export const leadFieldsSchema = z.object({
  externalId: optionalText(200),
  firstName: optionalText(),
  lastName: optionalText(),
  phone: optionalText(50),
  title: optionalText(),
  seniority: optionalText(50),
  department: optionalText(100),
  companyName: optionalText(),
  companySize: z.number().int('a whole number').min(0, 'at least 0').max(10_000_000).nullable().optional(),
  industry: optionalText(100),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, e.g. US')
    .nullable()
    .optional(),
  source: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z][a-z0-9_]{0,62}$/, `a source key such as ${leadSources.slice(0, 4).join(', ')}`)
    .optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});

export const newLeadSchema = leadFieldsSchema.extend({ email: emailSchema, source: leadFieldsSchema.shape.source.unwrap() });
export type NewLead = z.output<typeof newLeadSchema>;
export type LeadPatch = z.output<typeof leadFieldsSchema> & { email?: string };

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}
