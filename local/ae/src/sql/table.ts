/** The stored points' table in each dataset's Durable Object (see ../store.ts). */
export const TABLE = "points";
