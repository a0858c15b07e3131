/**
 * Vite config of the dashboard (app/). `npm run app` builds it into app/dist and serves it with `vite preview`.
 * The one piece of server logic: GET /deployments.json answers the deployment records deploy/deploy-vault.ts wrote
 * (deployments/*.json, or DEPLOYMENTS_DIR), read at each request, so the page finds the registry of a chain deployed
 * after the build. Nothing else is served but the static files; the page reads the chain itself over JSON-RPC.
 */
import fs from "node:fs";
import path from "node:path";
import type { Connect, Plugin } from "vite";
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

const repo = path.resolve(here, "..");

function deploymentRecords(): unknown[] {
  const dir = process.env.DEPLOYMENTS_DIR ?? path.join(repo, "deployments");
  if (!fs.existsSync(dir)) return [];
  const records: unknown[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    try {
      const r = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
      if (r && typeof r.registry === "string") {
        records.push({ file, network: r.network, chainId: r.chainId, registry: r.registry, lens: r.lens, factory: r.factory, markets: r.markets, oracle: r.oracle, localMarket: r.localMarket, vaults: r.vaults?.map((v: { address: string; name: string; block: number }) => ({ address: v.address, name: v.name, block: v.block })), updatedAt: r.updatedAt });
      }
    } catch {
      // a half-written or foreign file: not a record
    }
  }
  return records;
}

const serveRecords: Connect.NextHandleFunction = (req, res, next) => {
  if (!req.url?.startsWith("/deployments.json")) return next();
  res.setHeader("content-type", "application/json");
  res.setHeader("cache-control", "no-store");
  res.end(JSON.stringify(deploymentRecords()));
};

const deployments = (): Plugin => ({
  name: "deployment-records",
  configureServer: (server) => void server.middlewares.use(serveRecords),
  configurePreviewServer: (server) => void server.middlewares.use(serveRecords),
});

export default defineConfig({
  root: here,
  base: "./",
  plugins: [deployments()],
  build: { outDir: path.join(here, "dist"), emptyOutDir: true, chunkSizeWarningLimit: 1500, target: "es2022" },
  server: { host: "127.0.0.1", port: 5173, fs: { allow: [repo] } },
  preview: { host: "127.0.0.1", port: 4173 },
});
