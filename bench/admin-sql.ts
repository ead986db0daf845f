import pg from 'pg';

/** Runs one statement as the PostgreSQL admin (CREATE / DROP DATABASE for a benchmark's own database). */
export async function adminSql(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
