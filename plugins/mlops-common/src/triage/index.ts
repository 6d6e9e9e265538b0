// The triage knowledge base and the failure classifier are exported from here.
export {};
