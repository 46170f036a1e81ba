import { describe, expect, it } from "vitest";
import { isValidTwilioSignature, twilioSignature } from "../../src/telephony/signature.js";

// Twilio's published example for request validation.
const token = "12345";
const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
const params = { CallSid: "CA1234567890ABCDE", Caller: "+12349013030", Digits: "1234", From: "+12349013030", To: "+18005551212" };

describe("Twilio signature check", () => {
  it("matches Twilio's published example", () => {
    expect(twilioSignature(token, url, params)).toBe("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    expect(isValidTwilioSignature(token, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url, params)).toBe(true);
  });

  it("rejects a changed parameter, a changed URL, a wrong token or no signature", () => {
    const good = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";
    expect(isValidTwilioSignature(token, good, url, { ...params, Digits: "1235" })).toBe(false);
    expect(isValidTwilioSignature(token, good, url.replace("foo=1", "foo=2"), params)).toBe(false);
    expect(isValidTwilioSignature("54321", good, url, params)).toBe(false);
    expect(isValidTwilioSignature(token, undefined, url, params)).toBe(false);
  });
});
