import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type Platform = components["schemas"]["PlatformResponse"];
type FeedItem = components["schemas"]["FeedItem"];

const client = createClient<paths>({ baseUrl: "http://localhost:8080" });

export async function firstPage(): Promise<Platform[]> {
  const { data, error } = await client.GET("/api/v1/platforms", {
    params: { query: { q: "hoa don", per_page: 5 }, header: { "If-None-Match": undefined } },
  });
  if (error) throw new Error(error.code);
  return data?.items ?? [];
}

export function apply(item: FeedItem, mirror: Map<string, string>): void {
  switch (item.entity) {
    case "platform":
      if (item.state) mirror.set(item.key, item.state.name_vi);
      else mirror.delete(item.key);
      break;
    case "contact":
      if (item.state) mirror.set(item.key, item.state.name);
      break;
    case "ministry":
      if (item.state) mirror.set(item.key, item.state.name_vi);
      break;
    case "list":
      if (item.state && "platform" in item.state) mirror.set(item.key, item.state.platform);
      break;
  }
}

export async function create(token: string): Promise<string | undefined> {
  const { data, response } = await client.POST("/api/v1/platforms", {
    headers: { Authorization: `Bearer ${token}` },
    body: {
      code: "qlvb-tinh",
      name_vi: "Hệ thống quản lý văn bản",
      name_en: "Document management system",
      domains: ["government_operations"],
      status: "operational",
    },
  });
  return data?.code ?? response.headers.get("etag") ?? undefined;
}
