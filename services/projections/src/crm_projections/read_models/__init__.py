"""One package per read model: the events it handles and its evolve (`model`), its tables, its
reporting views (`views.sql`), and the report routes that read it (`routes`)."""
