/**
 * Off-chain estimate of the volatility-aware target along the realistic model's feed answers, without a chain:
 * for each CSV in the given folders, the feed answers `marketSteps` publishes (mainnet preset: 50 bps / 3,600 s) and,
 * at each answer, the target of docs/PROTECTION.md section 2 from the last `rounds` answers (3 sigma over 6 h,
 * 8 rounds, floor 1.5x, LT 83 %, the 3x preset's values). It explains where the preset can engage; the backtests
 * measure what it does.
 *
 *   npx ts-node --transpile-only scripts/backtest-vol-estimate.ts data/historical data/historical/wicks data/stress
 */
import fs from "node:fs";
import path from "node:path";
import { marketSteps, ORACLE_PRESETS } from "./lib/backtest/oracle";
import { parsePricePath } from "./lib/backtest/prices";
import { LIQUIDATION_THRESHOLD } from "./lib/backtest/settings";
import { PRESET_3X } from "./lib/deploy/vault";

const LT = LIQUIDATION_THRESHOLD;
const K = PRESET_3X.sigmaMultiple!;
const H = PRESET_3X.volatilityHorizon!;
const N = PRESET_3X.volatilityRounds!;
const FLOOR = PRESET_3X.volatilityFloorLeverage!;
const TARGET = PRESET_3X.targetLeverage!;
const BLOCK = ORACLE_PRESETS.mainnet.blockTime;

console.log("| path | feed answers | answers with target < 3x | answers with target < 2.7x | lowest target |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const dir of process.argv.slice(2)) {
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".csv")).sort()) {
    const rows = parsePricePath(fs.readFileSync(path.join(dir, file), "utf8"), file);
    const steps = marketSteps(rows, ORACLE_PRESETS.mainnet).filter((s) => s.feed);
    const answers = [{ t: 0, price: rows[0].price }, ...steps.map((s) => ({ t: s.t, price: s.price }))];
    let lowest = TARGET;
    let below = 0;
    let belowBand = 0;
    for (let i = N; i < answers.length; i++) {
      let sum = 0;
      for (let j = i - N + 1; j <= i; j++) {
        const r = (answers[j].price - answers[j - 1].price) / answers[j - 1].price;
        sum += r * r;
      }
      // The vault reads sigma one block after the answer (keeper latency 1 block).
      const span = answers[i].t - answers[i - N].t + BLOCK;
      const fall = K * Math.sqrt((sum / span) * H);
      const survivable = fall >= 1 ? 1 : 1 / (1 - LT * (1 - fall));
      const target = Math.min(TARGET, Math.max(FLOOR, survivable));
      if (target < TARGET) below++;
      if (target < 2.7) belowBand++;
      lowest = Math.min(lowest, target);
    }
    console.log(`| ${file.replace(/\.csv$/, "")} | ${answers.length} | ${below} | ${belowBand} | ${lowest.toFixed(2)}x |`);
  }
}
