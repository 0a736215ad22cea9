// Word lists for plausible people, companies and content. Weights are rough shares, not statistics.

export const firstNames = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Christopher', 'Karen',
  'Charles', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty', 'Anthony', 'Sandra', 'Mark', 'Margaret',
  'Donald', 'Ashley', 'Steven', 'Kimberly', 'Andrew', 'Emily', 'Paul', 'Donna', 'Joshua', 'Michelle',
  'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Melissa', 'Timothy', 'Deborah', 'Ronald', 'Stephanie',
  'George', 'Rebecca', 'Jason', 'Sharon', 'Edward', 'Laura', 'Jeffrey', 'Cynthia', 'Ryan', 'Dorothy',
  'Jacob', 'Amy', 'Gary', 'Kathleen', 'Nicholas', 'Angela', 'Eric', 'Shirley', 'Jonathan', 'Emma',
  'Stephen', 'Brenda', 'Larry', 'Pamela', 'Justin', 'Nicole', 'Scott', 'Anna', 'Brandon', 'Samantha',
  'Benjamin', 'Katherine', 'Samuel', 'Christine', 'Gregory', 'Debra', 'Alexander', 'Rachel', 'Patrick', 'Carolyn',
  'Frank', 'Janet', 'Raymond', 'Maria', 'Jack', 'Olivia', 'Dennis', 'Heather', 'Jerry', 'Helen',
  'Tyler', 'Catherine', 'Aaron', 'Diane', 'Jose', 'Julie', 'Adam', 'Victoria', 'Nathan', 'Joyce',
  'Henry', 'Lauren', 'Zachary', 'Kelly', 'Douglas', 'Christina', 'Peter', 'Ruth', 'Kyle', 'Joan',
  'Noah', 'Virginia', 'Ethan', 'Judith', 'Jeremy', 'Evelyn', 'Walter', 'Hannah', 'Christian', 'Andrea',
  'Keith', 'Megan', 'Roger', 'Cheryl', 'Terry', 'Jacqueline', 'Austin', 'Madison', 'Sean', 'Teresa',
  'Gerald', 'Abigail', 'Carl', 'Sophia', 'Harold', 'Martha', 'Dylan', 'Sara', 'Arthur', 'Gloria',
  'Lawrence', 'Janice', 'Jordan', 'Kathryn', 'Jesse', 'Ann', 'Bryan', 'Isabella', 'Billy', 'Judy',
  'Bruce', 'Charlotte', 'Gabriel', 'Julia', 'Joe', 'Grace', 'Logan', 'Amber', 'Alan', 'Alice',
  'Juan', 'Jean', 'Albert', 'Denise', 'Willie', 'Frances', 'Elijah', 'Danielle', 'Wayne', 'Marilyn',
  'Randy', 'Natalie', 'Vincent', 'Beverly', 'Mason', 'Diana', 'Roy', 'Brittany', 'Ralph', 'Theresa',
  'Bobby', 'Kayla', 'Russell', 'Alexis', 'Bradley', 'Doris', 'Philip', 'Lori', 'Eugene', 'Tiffany',
  'Priya', 'Arjun', 'Wei', 'Mei', 'Hiroshi', 'Yuki', 'Lukas', 'Lena', 'Mateo', 'Lucia',
  'Sven', 'Ingrid', 'Pierre', 'Camille', 'Ahmed', 'Fatima', 'Carlos', 'Sofia', 'Raj', 'Ananya',
];

export const lastNames = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes',
  'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper',
  'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson',
  'Watson', 'Brooks', 'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza', 'Ruiz', 'Hughes',
  'Price', 'Alvarez', 'Castillo', 'Sanders', 'Patel', 'Myers', 'Long', 'Ross', 'Foster', 'Jimenez',
  'Powell', 'Jenkins', 'Perry', 'Russell', 'Sullivan', 'Bell', 'Coleman', 'Butler', 'Henderson', 'Barnes',
  'Gonzales', 'Fisher', 'Vasquez', 'Simmons', 'Romero', 'Jordan', 'Patterson', 'Alexander', 'Hamilton', 'Graham',
  'Reynolds', 'Griffin', 'Wallace', 'Moreno', 'West', 'Cole', 'Hayes', 'Bryant', 'Herrera', 'Gibson',
  'Ellis', 'Tran', 'Medina', 'Aguilar', 'Stevens', 'Murray', 'Ford', 'Castro', 'Marshall', 'Owens',
  'Harrison', 'Fernandez', 'McDonald', 'Woods', 'Washington', 'Kennedy', 'Wells', 'Vargas', 'Henry', 'Chen',
  'Freeman', 'Webb', 'Tucker', 'Guzman', 'Burns', 'Crawford', 'Olson', 'Simpson', 'Porter', 'Hunter',
  'Gordon', 'Mendez', 'Silva', 'Shaw', 'Snyder', 'Mason', 'Dixon', 'Munoz', 'Hunt', 'Hicks',
  'Holmes', 'Palmer', 'Wagner', 'Black', 'Robertson', 'Boyd', 'Rose', 'Stone', 'Salazar', 'Fox',
  'Warren', 'Mills', 'Meyer', 'Rice', 'Schmidt', 'Garza', 'Daniels', 'Ferguson', 'Nichols', 'Stephens',
  'Soto', 'Weaver', 'Ryan', 'Gardner', 'Payne', 'Grant', 'Dunn', 'Kelley', 'Spencer', 'Hawkins',
  'Mueller', 'Schneider', 'Fischer', 'Weber', 'Dubois', 'Lefebvre', 'Rossi', 'Bianchi', 'Sato', 'Tanaka',
  'Wang', 'Li', 'Zhang', 'Liu', 'Singh', 'Kumar', 'Sharma', 'Gupta', 'Johansson', 'Larsen',
];

export const companyWordsA = [
  'Acme', 'Apex', 'Blue', 'Bright', 'Cedar', 'Clear', 'Coastal', 'Copper', 'Crest', 'Delta',
  'Eagle', 'Echo', 'Ember', 'Evergreen', 'Falcon', 'First', 'Fusion', 'Global', 'Golden', 'Granite',
  'Harbor', 'Highland', 'Horizon', 'Iron', 'Keystone', 'Lake', 'Liberty', 'Lumen', 'Maple', 'Meridian',
  'Metro', 'Nimbus', 'North', 'Nova', 'Oak', 'Omni', 'Orbit', 'Pacific', 'Peak', 'Pine',
  'Pioneer', 'Prairie', 'Prime', 'Quantum', 'Quartz', 'Radiant', 'Red', 'Ridge', 'River', 'Rock',
  'Sage', 'Silver', 'Sky', 'Solar', 'Spring', 'Star', 'Stone', 'Summit', 'Sun', 'Swift',
  'Terra', 'Tidal', 'True', 'Union', 'United', 'Valley', 'Vertex', 'Vista', 'West', 'Willow',
];

export const companyWordsB = [
  'Bridge', 'Brook', 'Field', 'Forge', 'Gate', 'Grove', 'Haven', 'Hill', 'Line', 'Mark',
  'Mill', 'Path', 'Point', 'Port', 'Shore', 'Side', 'Stream', 'Tech', 'View', 'Wave',
  'Works', 'Wood', 'Light', 'Land', 'Crest', 'Scale', 'Sphere', 'Loop', 'Leaf', 'Well',
];

export const companySuffixByIndustry: Record<string, readonly string[]> = {
  Software: ['Software', 'Systems', 'Labs', 'Cloud', 'Analytics', 'Technologies', 'Data'],
  'Financial Services': ['Capital', 'Financial', 'Bank', 'Partners', 'Insurance', 'Wealth'],
  Healthcare: ['Health', 'Medical', 'Care', 'Clinics', 'Biotech', 'Pharma'],
  Manufacturing: ['Manufacturing', 'Industries', 'Components', 'Materials', 'Machines', 'Fabrication'],
  'Professional Services': ['Consulting', 'Advisors', 'Group', 'Associates', 'Partners'],
  Retail: ['Retail', 'Stores', 'Outfitters', 'Market', 'Goods', 'Brands'],
  Education: ['Learning', 'Academy', 'Education', 'University', 'Schools'],
  Logistics: ['Logistics', 'Freight', 'Shipping', 'Transport', 'Supply'],
  Media: ['Media', 'Studios', 'Publishing', 'Digital', 'Entertainment'],
  Telecommunications: ['Telecom', 'Networks', 'Communications', 'Wireless'],
  Energy: ['Energy', 'Power', 'Renewables', 'Utilities'],
  Government: ['Agency', 'Authority', 'Services'],
};

export const industries: readonly (readonly [string, number])[] = [
  ['Software', 22],
  ['Financial Services', 12],
  ['Manufacturing', 12],
  ['Healthcare', 10],
  ['Professional Services', 10],
  ['Retail', 8],
  ['Education', 6],
  ['Logistics', 6],
  ['Media', 5],
  ['Telecommunications', 4],
  ['Energy', 3],
  ['Government', 2],
];

/** ISO 3166-1 alpha-2 with a top-level domain for company sites and a phone country code. */
export const countries: readonly { code: string; weight: number; tld: string; dial: string }[] = [
  { code: 'US', weight: 48, tld: 'com', dial: '+1' },
  { code: 'CA', weight: 7, tld: 'ca', dial: '+1' },
  { code: 'GB', weight: 10, tld: 'co.uk', dial: '+44' },
  { code: 'DE', weight: 7, tld: 'de', dial: '+49' },
  { code: 'FR', weight: 4, tld: 'fr', dial: '+33' },
  { code: 'NL', weight: 3, tld: 'nl', dial: '+31' },
  { code: 'SE', weight: 2, tld: 'se', dial: '+46' },
  { code: 'ES', weight: 2, tld: 'es', dial: '+34' },
  { code: 'AU', weight: 5, tld: 'com.au', dial: '+61' },
  { code: 'IN', weight: 6, tld: 'in', dial: '+91' },
  { code: 'SG', weight: 2, tld: 'sg', dial: '+65' },
  { code: 'BR', weight: 4, tld: 'com.br', dial: '+55' },
];

export const freeMailDomains: readonly (readonly [string, number])[] = [
  ['gmail.com', 55],
  ['outlook.com', 15],
  ['yahoo.com', 12],
  ['hotmail.com', 8],
  ['icloud.com', 6],
  ['proton.me', 4],
];

export const seniorities: readonly (readonly [string, number])[] = [
  ['c_level', 5],
  ['vp', 9],
  ['director', 16],
  ['manager', 25],
  ['senior', 20],
  ['entry', 25],
];

export const departments: readonly (readonly [string, number])[] = [
  ['Marketing', 28],
  ['Sales', 20],
  ['Revenue Operations', 7],
  ['IT', 10],
  ['Operations', 9],
  ['Finance', 6],
  ['Product', 7],
  ['Customer Success', 6],
  ['Human Resources', 3],
  ['Executive', 4],
];

// Titles by department and seniority; {area} variants keep titles from looking machine-made.
const titleTemplates: Record<string, Record<string, readonly string[]>> = {
  Marketing: {
    c_level: ['Chief Marketing Officer', 'CMO'],
    vp: ['VP of Marketing', 'VP Demand Generation', 'VP Growth Marketing'],
    director: ['Director of Demand Generation', 'Director of Marketing', 'Marketing Operations Director'],
    manager: ['Marketing Manager', 'Marketing Operations Manager', 'Demand Generation Manager', 'Content Marketing Manager'],
    senior: ['Senior Marketing Specialist', 'Senior Campaign Manager', 'Senior Marketing Operations Analyst'],
    entry: ['Marketing Coordinator', 'Marketing Associate', 'Marketing Assistant'],
  },
  Sales: {
    c_level: ['Chief Revenue Officer', 'CRO', 'Chief Sales Officer'],
    vp: ['VP of Sales', 'VP Sales North America', 'VP Inside Sales'],
    director: ['Director of Sales', 'Sales Director', 'Director of Sales Development'],
    manager: ['Sales Manager', 'SDR Manager', 'Regional Sales Manager'],
    senior: ['Senior Account Executive', 'Enterprise Account Executive'],
    entry: ['Sales Development Representative', 'Business Development Representative', 'Sales Associate'],
  },
  'Revenue Operations': {
    c_level: ['Chief Operating Officer'],
    vp: ['VP Revenue Operations'],
    director: ['Director of Revenue Operations', 'Sales Operations Director'],
    manager: ['Revenue Operations Manager', 'Sales Operations Manager'],
    senior: ['Senior Revenue Operations Analyst', 'Senior Sales Operations Analyst'],
    entry: ['Revenue Operations Analyst', 'Sales Operations Coordinator'],
  },
  IT: {
    c_level: ['Chief Information Officer', 'CTO'],
    vp: ['VP of IT', 'VP Engineering'],
    director: ['IT Director', 'Director of Business Systems'],
    manager: ['IT Manager', 'CRM Manager', 'Business Systems Manager'],
    senior: ['Senior Systems Administrator', 'Senior CRM Developer'],
    entry: ['IT Support Specialist', 'Junior Developer'],
  },
  Operations: {
    c_level: ['Chief Operating Officer', 'COO'],
    vp: ['VP Operations'],
    director: ['Director of Operations'],
    manager: ['Operations Manager'],
    senior: ['Senior Operations Analyst'],
    entry: ['Operations Coordinator'],
  },
  Finance: {
    c_level: ['Chief Financial Officer', 'CFO'],
    vp: ['VP Finance'],
    director: ['Finance Director', 'Director of FP&A'],
    manager: ['Finance Manager', 'Controller'],
    senior: ['Senior Financial Analyst'],
    entry: ['Financial Analyst', 'Accountant'],
  },
  Product: {
    c_level: ['Chief Product Officer'],
    vp: ['VP Product'],
    director: ['Director of Product Management'],
    manager: ['Product Manager', 'Product Marketing Manager'],
    senior: ['Senior Product Manager', 'Senior Product Marketing Manager'],
    entry: ['Associate Product Manager'],
  },
  'Customer Success': {
    c_level: ['Chief Customer Officer'],
    vp: ['VP Customer Success'],
    director: ['Director of Customer Success'],
    manager: ['Customer Success Manager'],
    senior: ['Senior Customer Success Manager'],
    entry: ['Customer Success Associate', 'Support Specialist'],
  },
  'Human Resources': {
    c_level: ['Chief People Officer'],
    vp: ['VP People'],
    director: ['HR Director'],
    manager: ['HR Manager', 'Talent Acquisition Manager'],
    senior: ['Senior HR Business Partner'],
    entry: ['HR Coordinator', 'Recruiter'],
  },
  Executive: {
    c_level: ['Chief Executive Officer', 'CEO', 'Founder & CEO', 'Co-Founder'],
    vp: ['Executive Vice President', 'General Manager'],
    director: ['Managing Director'],
    manager: ['Chief of Staff'],
    senior: ['Executive Assistant'],
    entry: ['Office Manager'],
  },
};

export function titleFor(department: string, seniority: string): readonly string[] {
  return titleTemplates[department]?.[seniority] ?? ['Manager'];
}

/** People who fill in forms but are not buyers; fit rules push them down. */
export const nonBuyerTitles = ['Student', 'Graduate Student', 'Job Seeker', 'Freelance Consultant', 'Intern'];

export const crmSystems: readonly (readonly [string, number])[] = [
  ['salesforce', 40],
  ['hubspot', 30],
  ['microsoft_dynamics', 12],
  ['pipedrive', 10],
  ['zoho', 8],
];

export const blogPosts = [
  '/blog/what-is-a-marketing-sales-sla',
  '/blog/mql-vs-sql-definitions',
  '/blog/lead-scoring-fit-and-interest',
  '/blog/reverse-funnel-math',
  '/blog/how-many-calls-before-recycling-a-lead',
  '/blog/nurture-workflows-that-work',
  '/blog/monthly-sla-review-agenda',
  '/blog/lead-response-time-study',
  '/blog/account-based-marketing-basics',
  '/blog/cold-warm-hot-leads',
  '/blog/sales-follow-up-cadence',
  '/blog/closing-the-loop-with-sales',
];

export const productPages = ['/product', '/product/scoring', '/product/hand-off', '/product/sla-clocks', '/product/reports', '/integrations', '/integrations/mautic', '/integrations/hubspot', '/security', '/about'];
export const customerPages = ['/customers', '/customers/northwind', '/customers/globex', '/customers/initech', '/customers/umbrella'];
export const pricingPages = ['/pricing', '/pricing', '/pricing', '/pricing/enterprise', '/pricing/compare'];

export const contentAssets: readonly { asset: string; assetType: string }[] = [
  { asset: 'The Marketing–Sales SLA Playbook', assetType: 'ebook' },
  { asset: 'Lead Scoring Benchmark Report 2026', assetType: 'report' },
  { asset: 'Reverse Funnel Calculator', assetType: 'template' },
  { asset: 'From MQL to Revenue', assetType: 'whitepaper' },
  { asset: 'Sales Follow-up Cadence Checklist', assetType: 'checklist' },
  { asset: 'State of Revenue Operations', assetType: 'report' },
  { asset: 'Nurture Workflow Templates', assetType: 'template' },
  { asset: 'Buying Committee Guide', assetType: 'ebook' },
];

export const webinars = [
  'Writing an SLA both teams sign',
  'Scoring leads on fit and interest',
  'The monthly SLA review, live',
  'Response time: the first hour matters',
  'Recycling leads without losing them',
  'Reverse funnel planning for next quarter',
];

export const emailCampaigns = [
  'Monthly newsletter',
  'Product update',
  'Webinar invitation',
  'Customer story',
  'Guide: SLA templates',
  'Event follow-up',
  'Pricing update',
];

export const opportunityProducts = ['Platform', 'Growth plan', 'Enterprise plan', 'Team plan', 'Scoring add-on', 'Annual subscription'];
