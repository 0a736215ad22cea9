CREATE TABLE "installation_keys" (
	"name" text PRIMARY KEY NOT NULL,
	"secret" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "installation_keys_secret_ck" CHECK ("installation_keys"."secret" ~ '^[0-9a-f]{64}$')
);
