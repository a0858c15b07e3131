/**
 * Price paths for the backtester: a CSV with the header `timestamp,price` (unix seconds UTC, USD per unit of
 * collateral), rows in strictly increasing time order. An optional `low` column gives the lowest price inside the
 * interval ending at the row (the realistic replay walks previous close -> low -> close); the `wicks/` files give
 * the same information as an extra row at the half hour instead, which both replay models read as a row.
 */
import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { z } from "zod";

export interface PricePoint {
  /** Unix seconds (UTC). */
  timestamp: number;
  /** USD per unit of collateral (ETH). */
  price: number;
  /** Lowest price inside the interval ending at this row (optional `low` column). */
  low?: number;
}

const Row = z.object({
  timestamp: z.coerce.number().int().positive(),
  price: z.coerce.number().positive().finite(),
  low: z
    .union([z.literal(""), z.coerce.number().positive().finite()])
    .optional()
    .transform((v) => (v === "" ? undefined : v)),
});

/** Parses the CSV text; throws with the (1-based, header = line 1) line of the first bad row. */
export function parsePricePath(text: string, source = "<csv>"): PricePoint[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
    });
  } catch (error) {
    throw new Error(`${source}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (records.length === 0) throw new Error(`${source}: no rows (expected header 'timestamp,price')`);
  const first = records[0];
  if (!("timestamp" in first) || !("price" in first)) {
    throw new Error(`${source}: header must be 'timestamp,price', got '${Object.keys(first).join(",")}'`);
  }
  const points: PricePoint[] = records.map((record, i) => {
    const parsed = Row.safeParse(record);
    if (!parsed.success) {
      throw new Error(`${source} line ${i + 2}: ${parsed.error.issues.map((e) => `${e.path.join(".")}: ${e.message}`).join("; ")}`);
    }
    const { low, ...point } = parsed.data;
    return low === undefined ? point : { ...point, low };
  });
  if (points.length < 2) throw new Error(`${source}: need at least 2 rows, got ${points.length}`);
  for (let i = 1; i < points.length; i++) {
    if (points[i].timestamp <= points[i - 1].timestamp) {
      throw new Error(`${source} line ${i + 2}: timestamp ${points[i].timestamp} is not after ${points[i - 1].timestamp}`);
    }
    const low = points[i].low;
    if (low !== undefined && low > Math.min(points[i].price, points[i - 1].price)) {
      throw new Error(`${source} line ${i + 2}: low ${low} is above the previous close or the close`);
    }
  }
  return points;
}

export function readPricePath(file: string): PricePoint[] {
  return parsePricePath(readFileSync(file, "utf8"), file);
}
