// Calling the Mitroo Politon provider from .NET with a wsdl-generated client (System.Web.Services,
// SoapHttpClientProtocol). On Debian with Mono (mono-devel, and xmlsec1), scripts/interop runs:
//
//   wsdl -namespace:Mitroo.<Service> -out:<Service>.cs wsdl/<service>.wsdl      (one per service)
//   mcs -r:System.Web.Services -r:System.Xml -out:MitrooExample.exe *.cs MitrooExample.cs
//   cp MitrooExample.exe.config next to MitrooExample.exe
//   MITROO_URL=http://127.0.0.1:8000 MITROO_CERT=provider-cert.pem mono MitrooExample.exe
//
// One call per service as the demo users of scripts/serve, then an errorRecord and a fault. A SOAP
// extension (registered in MitrooExample.exe.config) adds the UsernameToken to every request and
// checks every answer's signature (xmlsec1 against the pinned certificate, and the Body that is read
// is the one that was signed) before the proxy reads it. Prints one line per call; exits 1 on a failure.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Web.Services.Protocols;
using System.Xml;

public class WsSecurity : SoapExtension
{
    const string SoapEnv = "http://schemas.xmlsoap.org/soap/envelope/";
    const string Wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    const string Wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    const string Ds = "http://www.w3.org/2000/09/xmldsig#";
    const string PasswordText =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";

    // The user of the next call, and the callSequenceId of the last verified answer.
    public static string Username, Password, CallSequenceId;

    Stream wire, buffer;

    public override object GetInitializer(Type serviceType) { return null; }
    public override object GetInitializer(LogicalMethodInfo method, SoapExtensionAttribute attribute) { return null; }
    public override void Initialize(object initializer) { }

    public override Stream ChainStream(Stream stream)
    {
        wire = stream;
        buffer = new MemoryStream();
        return buffer;
    }

    public override void ProcessMessage(SoapMessage message)
    {
        if (message.Stage == SoapMessageStage.AfterSerialize) {
            // The request: add wsse:Security with the UsernameToken to the Header.
            buffer.Position = 0;
            var request = new XmlDocument { PreserveWhitespace = true };
            request.Load(buffer);
            var envelope = request.DocumentElement;
            var header = envelope.GetElementsByTagName("Header", SoapEnv).Cast<XmlElement>().FirstOrDefault();
            if (header == null) {
                header = request.CreateElement("soap", "Header", SoapEnv);
                envelope.PrependChild(header);
            }
            var security = (XmlElement) header.AppendChild(request.CreateElement("wsse", "Security", Wsse));
            var token = (XmlElement) security.AppendChild(request.CreateElement("wsse", "UsernameToken", Wsse));
            token.AppendChild(request.CreateElement("wsse", "Username", Wsse)).InnerText = Username;
            var password = (XmlElement) token.AppendChild(request.CreateElement("wsse", "Password", Wsse));
            password.SetAttribute("Type", PasswordText);
            password.InnerText = Password;
            using (var writer = XmlWriter.Create(wire, new XmlWriterSettings { Encoding = new System.Text.UTF8Encoding(false) })) {
                request.Save(writer);
            }
        } else if (message.Stage == SoapMessageStage.BeforeDeserialize) {
            // The answer, or a fault: check its signature before the proxy reads it.
            var raw = new MemoryStream();
            wire.CopyTo(raw);
            CallSequenceId = VerifiedCallSequenceId(raw.ToArray());
            raw.Position = 0;
            raw.CopyTo(buffer);
            buffer.Position = 0;
        }
    }

    // xmlsec1 verifies the cryptography against the pinned certificate; then exactly one Body, its
    // wsu:Id among the signed references, no wsu:Id twice, and a Timestamp that has not expired.
    static string VerifiedCallSequenceId(byte[] answer)
    {
        var file = Path.GetTempFileName();
        try {
            File.WriteAllBytes(file, answer);
            var start = new ProcessStartInfo("xmlsec1", string.Join(" ", "--verify", "--pubkey-cert-pem",
                Quote(Program.Certificate), "--id-attr:Id", Quote(SoapEnv + ":Body"), "--id-attr:Id",
                Quote(Wsu + ":Timestamp"), Quote(file))) {
                UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true,
            };
            using (var xmlsec = Process.Start(start)) {
                var output = xmlsec.StandardError.ReadToEnd() + xmlsec.StandardOutput.ReadToEnd();
                xmlsec.WaitForExit();
                if (xmlsec.ExitCode != 0) {
                    throw new InvalidOperationException("signature not valid: " + output.Trim().Replace('\n', ' '));
                }
            }
        } finally {
            File.Delete(file);
        }
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        document.Load(new MemoryStream(answer));
        var elements = document.GetElementsByTagName("*").Cast<XmlElement>().ToList();
        var ids = elements.Select(element => element.GetAttribute("Id", Wsu)).Where(id => id != "").ToList();
        var signed = document.GetElementsByTagName("Reference", Ds).Cast<XmlElement>()
            .Where(reference => reference.ParentNode.LocalName == "SignedInfo")
            .Select(reference => reference.GetAttribute("URI").TrimStart('#')).ToList();
        var bodies = document.GetElementsByTagName("Body", SoapEnv).Cast<XmlElement>().ToList();
        if (bodies.Count != 1 || !signed.Contains(bodies[0].GetAttribute("Id", Wsu)) || ids.Distinct().Count() != ids.Count) {
            throw new InvalidOperationException("the Body is not the one that was signed");
        }
        var expires = document.GetElementsByTagName("Expires", Wsu).Cast<XmlElement>().FirstOrDefault();
        if (expires == null || XmlConvert.ToDateTime(expires.InnerText, XmlDateTimeSerializationMode.Utc) < DateTime.UtcNow) {
            throw new InvalidOperationException("the answer has expired");
        }
        return elements.Last(element => element.LocalName == "callSequenceId").InnerText; // the answer's, after any record's
    }

    static string Quote(string value) { return "\"" + value.Replace("\"", "\\\"") + "\""; }
}

public static class Program
{
    static string Setting(string name, string fallback)
    {
        var value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrEmpty(value) ? fallback : value;
    }

    static readonly string BaseUrl = Setting("MITROO_URL", "http://127.0.0.1:8000").TrimEnd('/');
    public static readonly string Certificate = Setting("MITROO_CERT", "provider-cert.pem"); // GET /certificates, checked out of band
    static readonly string[] Aade = { Setting("MITROO_USERNAME", "demo-aade-eispraxis"), Setting("MITROO_PASSWORD", "demo-aade-pass-2026") };
    static readonly string[] Clerk = { Setting("MITROO_CLERK_USERNAME", "demo-dimos-athinaion"), Setting("MITROO_CLERK_PASSWORD", "demo-athens-pass-2026") };
    static readonly string[] Auditor = { Setting("MITROO_AUDITOR_USERNAME", "demo-auditor"), Setting("MITROO_AUDITOR_PASSWORD", "demo-auditor-pass-2026") };

    // The proxy of a service on the live endpoint, as ``user``.
    static T Proxy<T>(string service, string[] user) where T : SoapHttpClientProtocol, new()
    {
        WsSecurity.Username = user[0];
        WsSecurity.Password = user[1];
        return new T { Url = BaseUrl + "/ws/" + service, Timeout = 30000 };
    }

    // The six mandatory auditRecord fields (each service's namespace has its own auditRecord class).
    static T Audit<T>(T record) where T : new()
    {
        var values = new Dictionary<string, string> {
            { "auditTransactionId", Guid.NewGuid().ToString() },
            { "auditTransactionDate", DateTimeOffset.Now.ToString("yyyy-MM-ddTHH:mm:sszzz") },
            { "auditUnit", "Δ/νση Ελέγχου" }, { "auditProtocol", "ΑΠ 1234/2026" },
            { "auditUserId", "user17" }, { "auditUserIp", "10.1.2.3" },
        };
        foreach (var field in values) {
            typeof(T).GetProperty(field.Key).SetValue(record, field.Value);
        }
        return record;
    }

    static void Print(string call, string outcome)
    {
        Console.WriteLine(call + " callSequenceId=" + WsSecurity.CallSequenceId + " signature=verified " + outcome);
    }

    static void DeathAct(int actNumber)
    {
        var acts = Proxy<Mitroo.CivilRegistryActs.civilRegistryActs>("civilRegistryActs", Aade);
        var answer = acts.getDeathAct(new Mitroo.CivilRegistryActs.getDeathAct {
            auditRecord = Audit(new Mitroo.CivilRegistryActs.auditRecord()),
            getDeathActInputRecord = new Mitroo.CivilRegistryActs.actLookupInputRecord {
                actReference = new Mitroo.CivilRegistryActs.actReference {
                    registryOfficeCode = "L7101", actNumber = actNumber, volume = 1, volumeSpecified = true, year = 2022,
                },
            },
        });
        if (answer.errorRecord != null) { // a business outcome: HTTP 200 with an errorRecord
            Print("civilRegistryActs.getDeathAct", "errorRecord " + answer.errorRecord.errorCode + ": " + answer.errorRecord.errorDescr);
            return;
        }
        var act = answer.getDeathActOutputRecord;
        var deceased = act.party.First(party => party.role == "deceased");
        Print("civilRegistryActs.getDeathAct", "ok deceased " + deceased.fullName + " (" + deceased.fullNameLatin + ") on "
            + act.@event.eventDate.ToString("yyyy-MM-dd"));
    }

    public static int Main()
    {
        try {
            var parameters = Proxy<Mitroo.RegistryParameters.registryParameters>("registryParameters", Aade);
            var offices = new Mitroo.RegistryParameters.getRegistryOffices {
                auditRecord = Audit(new Mitroo.RegistryParameters.auditRecord()), // kept: the auditor finds this call by it
                getRegistryOfficesInputRecord = new Mitroo.RegistryParameters.getRegistryOfficesInputRecord { municipalityCode = "7401" },
            };
            var found = parameters.getRegistryOffices(offices).getRegistryOfficesOutputRecord;
            Print("registryParameters.getRegistryOffices", "ok " + string.Join(", ", found.Select(office => office.code + " " + office.name)));

            DeathAct(1);

            var certificates = Proxy<Mitroo.CivilStatusCertificates.civilStatusCertificates>("civilStatusCertificates", Aade);
            var issued = certificates.getMaritalStatusCertificate(new Mitroo.CivilStatusCertificates.getMaritalStatusCertificate {
                auditRecord = Audit(new Mitroo.CivilStatusCertificates.auditRecord()),
                getMaritalStatusCertificateInputRecord = new Mitroo.CivilStatusCertificates.maritalStatusCertificateInputRecord {
                    shareReference = new Mitroo.CivilStatusCertificates.shareReference { municipalityCode = "7101", shareNumber = 21 },
                    purpose = "Επίδομα παιδιών έτους 2022",
                    asOnDate = new DateTime(2022, 5, 19), asOnDateSpecified = true,
                },
            }).getMaritalStatusCertificateOutputRecord;
            Print("civilStatusCertificates.getMaritalStatusCertificate", "ok certificate " + issued.header.certificateNumber
                + ", " + issued.member.Length + " members");

            var rolls = Proxy<Mitroo.SpecialElectoralRolls.specialElectoralRolls>("specialElectoralRolls", Clerk);
            var eligibility = rolls.checkVoterEligibility(new Mitroo.SpecialElectoralRolls.checkVoterEligibility {
                auditRecord = Audit(new Mitroo.SpecialElectoralRolls.auditRecord()),
                checkVoterEligibilityInputRecord = new Mitroo.SpecialElectoralRolls.checkVoterEligibilityInputRecord {
                    applicant = new Mitroo.SpecialElectoralRolls.applicantCriteria {
                        permitNumber = "EL00001378", surnamePrefix = "NA", firstnamePrefix = "LA", birthYear = 1975,
                    },
                    electionCode = "AUTO-2028",
                    applicationDate = new DateTime(2026, 3, 2), applicationDateSpecified = true,
                },
            }).checkVoterEligibilityOutputRecord;
            Print("specialElectoralRolls.checkVoterEligibility", "ok eligible=" + eligibility.eligible.ToString().ToLowerInvariant()
                + " category=" + eligibility.category.letter);

            var audit = Proxy<Mitroo.Audit.audit>("audit", Auditor);
            var events = audit.searchAuditEvents(new Mitroo.Audit.searchAuditEvents {
                auditRecord = Audit(new Mitroo.Audit.auditRecord()),
                searchAuditEventsInputRecord = new Mitroo.Audit.searchAuditEventsInputRecord {
                    transactionId = offices.auditRecord.auditTransactionId,
                },
            }).searchAuditEventsOutputRecord.auditEvent ?? new Mitroo.Audit.auditEvent[0];
            Print("audit.searchAuditEvents", "ok " + string.Join(", ", events.Select(
                e => e.service + "." + e.operation + " by " + e.username + ": " + e.outcome)));

            DeathAct(99999); // an errorRecord: no such act (MP_NOT_FOUND)

            // A fault: a wrong password (MP_AUTHENTICATION_FAILED), HTTP 500, signed like every answer
            var wrong = Proxy<Mitroo.RegistryParameters.registryParameters>("registryParameters", new[] { Aade[0], "not-the-password" });
            try {
                wrong.getRegistryOffices(offices);
                throw new InvalidOperationException("a wrong password was accepted");
            } catch (SoapException fault) {
                var code = fault.Detail?.SelectSingleNode("//*[local-name()='errorCode']")?.InnerText ?? "";
                Print("registryParameters.getRegistryOffices", "fault soap:" + fault.Code.Name + " " + code + ": " + fault.Message);
            }
            return 0;
        } catch (Exception error) {
            while (error.InnerException != null) {
                error = error.InnerException;
            }
            Console.Error.WriteLine("error: " + error.Message);
            return 1;
        }
    }
}
