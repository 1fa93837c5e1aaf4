#!/usr/bin/env python3
"""A minimal Marionette client (the remote protocol Firefox ships) for the
Firefox test: no third-party packages.

    marionette.py PORT COMMAND [ARG...]

Used by tests/clients/firefox.sh (issue 5, item 7). Firefox must be
started with --marionette -remote-allow-system-access and the pref
marionette.port set.

Commands (each prints one JSON value on stdout):
  wait                    wait until Firefox accepts Marionette connections
  policies                the enterprise policy engine's status and the
                          SecurityDevices policy it applied
  tokens                  PKCS#11 modules with their slots' token names,
                          as Firefox's NSS sees them
  login TOKEN PINFILE     log in to TOKEN with the PIN in PINFILE (the
                          "PIN answered automatically"); prints true/false.
                          Does not work with Firefox 153, which has no
                          nsIPK11Token.checkPassword any more: use tlslogin.
  tlslogin URL PINFILE    load URL; every PIN prompt Firefox shows while
                          loading it is answered with the PIN in PINFILE
                          (chrome JS: an observer of common-dialog-loaded
                          fills the password field and clicks OK); prints
                          {"prompts": [...], "page": text}
  get URL                 load URL (server certificate errors accepted) and
                          print the page text, or the prompt Firefox shows
  quit                    ask Firefox to quit
"""
import json
import socket
import sys
import time


class Marionette:
    def __init__(self, port, timeout=30):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout)
        self.id = 0
        self._read()  # the server's hello

    def _read(self):
        buf = b""
        while b":" not in buf:
            chunk = self.sock.recv(1)
            if not chunk:
                raise EOFError("Marionette closed the connection")
            buf += chunk
        size, rest = int(buf[:-1]), b""
        while len(rest) < size:
            chunk = self.sock.recv(size - len(rest))
            if not chunk:
                raise EOFError("Marionette closed the connection")
            rest += chunk
        return json.loads(rest)

    def call(self, name, params=None):
        self.id += 1
        data = json.dumps([0, self.id, name, params or {}]).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data)
        while True:
            msg = self._read()
            if msg[0] == 1 and msg[1] == self.id:
                if msg[2]:
                    raise RuntimeError(msg[2].get("error", "") + ": " + msg[2].get("message", ""))
                return msg[3]

    def chrome(self, script, args=()):
        self.call("Marionette:SetContext", {"value": "chrome"})
        value = self.call("WebDriver:ExecuteScript", {"script": script, "args": list(args)})
        self.call("Marionette:SetContext", {"value": "content"})
        return value["value"] if isinstance(value, dict) and "value" in value else value


def connect(port, tries=150, strategy="normal"):
    for _ in range(tries):
        try:
            m = Marionette(port)
            m.call("WebDriver:NewSession", {"capabilities": {"alwaysMatch": {"acceptInsecureCerts": True, "pageLoadStrategy": strategy}}})
            return m
        except (OSError, EOFError):
            time.sleep(0.2)
    raise SystemExit("Firefox does not answer on Marionette port %d" % port)


POLICIES = """
const p = Services.policies;
const names = {[p.INACTIVE]: "inactive", [p.ACTIVE]: "active", [p.FAILED]: "failed"};
const active = p.getActivePolicies ? p.getActivePolicies() : null;
return {status: names[p.status] || String(p.status),
        dir: Services.dirsvc.get("XREUserRunTimeDir", Ci.nsIFile).path,
        SecurityDevices: active ? active.SecurityDevices || null : null};
"""
TOKENS = """
return (async () => {
const db = Cc["@mozilla.org/security/pkcs11moduledb;1"].getService(Ci.nsIPKCS11ModuleDB);
const out = [];
const each = async (e, iface) => { e = await e; if (Array.isArray(e)) return e; if (!e.hasMoreElements) return Array.from(e); const a = []; while (e.hasMoreElements()) a.push(e.getNext().QueryInterface(iface)); return a; };
for (const mod of await each(db.listModules(), Ci.nsIPKCS11Module)) {
  const slots = [];
  for (const slot of await each(mod.listSlots ? mod.listSlots() : mod.slots, Ci.nsIPKCS11Slot)) {
    let token = null;
    try { token = slot.getToken().tokenName; } catch (e) {}
    slots.push({slot: slot.name, token: token});
  }
  out.push({name: mod.name, library: mod.libName, slots: slots});
}
return out;
})();
"""
LOGIN = """
return (async () => {
const [name, pin] = arguments;
const db = Cc["@mozilla.org/security/pkcs11moduledb;1"].getService(Ci.nsIPKCS11ModuleDB);
const each = async (e, iface) => { e = await e; if (Array.isArray(e)) return e; const a = []; while (e.hasMoreElements()) a.push(e.getNext().QueryInterface(iface)); return a; };
for (const mod of await each(db.listModules(), Ci.nsIPKCS11Module))
  for (const slot of await each(mod.listSlots ? mod.listSlots() : mod.slots, Ci.nsIPKCS11Slot)) {
    let token; try { token = slot.getToken(); } catch (e) { continue; }
    if (token.tokenName == name) return await token.checkPassword(pin);
  }
return null;
})();
"""


ANSWER_PROMPTS = """
// Answer every common dialog (Firefox's PIN prompt is one) with the PIN:
// an observer of "common-dialog-loaded", which commonDialog.js notifies.
const [pin] = arguments;
const g = Services.wm.getMostRecentWindow("navigator:browser");
g.jpkiPrompts = [];
const answer = (win) => {
  const ui = win.Dialog && win.Dialog.ui;
  if (!ui) { g.jpkiPrompts.push("(not a common dialog)"); return; }
  g.jpkiPrompts.push(ui.infoBody.textContent);
  ui.password1Textbox.value = pin;
  ui.button0.click();
};
Services.obs.addObserver((subject) => {
  const win = subject.ownerGlobal || subject;
  win.setTimeout(() => answer(win), 0);
}, "common-dialog-loaded");
return true;
"""
PROMPTS = """
const g = Services.wm.getMostRecentWindow("navigator:browser");
return g.jpkiPrompts || null;
"""


def tlslogin(m, url, pin, seconds=40):
    """Load url, answering PIN prompts; return the prompts and the page."""
    out = {}
    m.chrome(ANSWER_PROMPTS, (pin,))
    m.call("WebDriver:Navigate", {"url": url})  # pageLoadStrategy none
    end = time.time() + seconds
    while time.time() < end:
        try:
            page = m.call("WebDriver:ExecuteScript",
                          {"script": "return document.readyState == 'complete' && document.body && document.location.href.startsWith('https') ? document.body.innerText : null", "args": []})["value"]
        except RuntimeError as e:
            page = None
            out["script"] = str(e)
        if page:
            out["page"] = page
            break
        time.sleep(0.5)
    out["prompts"] = m.chrome(PROMPTS)
    return out


def main():
    port, cmd, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    m = connect(port, strategy="none" if cmd == "tlslogin" else "normal")
    if cmd == "wait":
        out = True
    elif cmd == "policies":
        out = m.chrome(POLICIES)
    elif cmd == "tokens":
        out = m.chrome(TOKENS)
    elif cmd == "login":
        with open(args[1]) as f:
            pin = f.readline().strip()
        out = m.chrome(LOGIN, (args[0], pin))
    elif cmd == "get":
        m.call("WebDriver:SetTimeouts", {"pageLoad": 20000})
        try:
            m.call("WebDriver:Navigate", {"url": args[0]})
            out = {"page": m.call("WebDriver:ExecuteScript",
                                  {"script": "return document.body ? document.body.innerText : ''", "args": []})["value"]}
        except RuntimeError as e:
            out = {"error": str(e)}
            try:
                out["prompt"] = m.call("WebDriver:GetAlertText")["value"]
                m.call("WebDriver:DismissAlert")
            except RuntimeError:
                pass
    elif cmd == "tlslogin":
        with open(args[1]) as f:
            pin = f.readline().strip()
        out = tlslogin(m, args[0], pin)
    elif cmd == "quit":
        try:
            m.call("Marionette:Quit", {"flags": ["eForceQuit"]})
        except (RuntimeError, EOFError, OSError):
            pass
        out = True
    else:
        raise SystemExit("unknown command " + cmd)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
