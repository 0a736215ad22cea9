export * from './enums';
export * from './people';
export * from './agreements';
export * from './rules';
export * from './nurture';
export * from './crm';
export * from './sla';
export * from './webhooks';
