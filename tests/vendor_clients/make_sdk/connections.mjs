// Drives every SDK-app connection call of Make's own TypeScript SDK (@makehq/sdk, `make.sdk.connections`) against
// the emulator, and prints one JSON report on stdout: what each call returned, or the MakeError it threw. The
// Python test (tests/vendor_clients/test_make_sdk.py) checks the report against the emulator's state; this script
// asserts nothing itself.
//
// Environment: MAKE_BASE_URL (http://HOST:PORT/api/v2), MAKE_API_TOKEN, MAKE_OAUTH_TOKEN, as the emulator prints
// them; APP (the custom app's name).
//
// The SDK builds its URLs as `${make.protocol}://${zone}/api/v${version}`; `protocol` is a public field ("Can be
// changed to http for testing in local environments", dist/index.d.ts), so the zone is the emulator's HOST:PORT.

import { Make, MakeError } from "@makehq/sdk";

const base = new URL(process.env.MAKE_BASE_URL);
const version = Number(/^\/api\/v(\d+)\/?$/.exec(base.pathname)?.[1] ?? NaN);
if (!Number.isInteger(version)) {
    throw new Error(`MAKE_BASE_URL must end in /api/v<N>, got ${process.env.MAKE_BASE_URL}`);
}
const app = process.env.APP;

function client(token) {
    const make = new Make(token, base.host, { version, retry: { maxRetries: 0 } });
    make.protocol = base.protocol.replace(/:$/, "");
    return make;
}

const report = {};

async function step(name, call) {
    try {
        const value = await call();
        report[name] = { ok: true, value: value === undefined ? null : value };
    } catch (error) {
        if (!(error instanceof MakeError)) {
            throw error;
        }
        report[name] = { ok: false, name: error.name, statusCode: error.statusCode, message: error.message };
    }
}

// The value of a step the rest of the script needs; the script stops if it failed.
function needed(name) {
    const outcome = report[name];
    if (!outcome.ok) {
        process.stderr.write(`${name} failed, the script cannot go on: ${JSON.stringify(outcome)}\n`);
        process.exit(1);
    }
    return outcome.value;
}

const make = client(process.env.MAKE_API_TOKEN);
const connections = make.sdk.connections;

await step("list_empty", () => connections.list(app));
await step("create", () => connections.create(app, { type: "basic", label: "Main" }));
const name = needed("create").name;
await step("create_oauth", () => connections.create(app, { type: "oauth", label: "OAuth" }));
const second = needed("create_oauth").name;
await step("list", () => connections.list(app));
await step("get", () => connections.get(name));
await step("update_label", () => connections.update(name, { label: "Renamed" }));
await step("get_after_update", () => connections.get(name));

await step("get_section_api_template", () => connections.getSection(name, "api"));
const parameters = [{ name: "apiKey", type: "text", label: "API Key", required: true }];
await step("set_section_object", () => connections.setSection(name, "parameters", parameters));
await step("get_section_object", () => connections.getSection(name, "parameters"));
const jsonc = '{\n    // the request that checks the key\n    "url": "https://api.example.com/me",\n    "headers": {"x-api-key": "{{parameters.apiKey}}"}\n}\n';
await step("set_section_text", () => connections.setSection(name, "api", jsonc));
await step("get_section_text", () => connections.getSection(name, "api"));

await step("set_common", () => connections.setCommon(second, { clientId: "client-id", clientSecret: "client-secret" }));
await step("get_common", () => connections.getCommon(second));

await step("delete", () => connections.delete(second));
await step("list_after_delete", () => connections.list(app));
await step("get_deleted", () => connections.get(second));

await step("error_invalid_type", () => connections.create(app, { type: "nope", label: "Bad" }));
await step("error_unknown_connection", () => connections.get(`${app}-missing`));
await step("error_invalid_section", () => connections.setSection(name, "api", "{ not jsonc"));
await step("error_unknown_section", () => connections.getSection(name, "nope"));
await step("error_empty_label", () => connections.update(name, { label: "" }));
await step("error_wrong_api_key", () =>
    client("00000000-0000-4000-8000-0000000000ff").sdk.connections.list(app),
);
await step("error_wrong_oauth_token", () =>
    client(`${process.env.MAKE_OAUTH_TOKEN}-wrong`).sdk.connections.list(app),
);
await step("oauth_token_list", () => client(process.env.MAKE_OAUTH_TOKEN).sdk.connections.list(app));

process.stdout.write(JSON.stringify(report));
