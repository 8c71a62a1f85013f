// Calling the Mitroo Politon provider with JAX-WS (Debian: default-jdk, jaxws for wsimport and its
// runtime, and xmlsec1). scripts/interop generates the clients and runs this file:
//
//   wsimport -b bindings.xml -p gr.mitroo.<service in lower case> -s src -d classes wsdl/<service>.wsdl
//   javac -cp classes:$JAXWS -d classes MitrooExample.java
//   MITROO_URL=http://127.0.0.1:8000 MITROO_CERT=provider-cert.pem java -cp classes:$JAXWS MitrooExample
//
// One call per service as the demo users of scripts/serve, then an errorRecord and a fault. A SOAP
// handler adds the UsernameToken to every request and checks every answer's signature (xmlsec1
// against the pinned certificate, and the Body that is read is the one that was signed) before
// JAX-WS reads it. Prints one line per call; exits 1 on a failure.

import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import javax.xml.datatype.DatatypeFactory;
import javax.xml.namespace.QName;
import javax.xml.soap.SOAPElement;
import javax.xml.soap.SOAPException;
import javax.xml.soap.SOAPHeader;
import javax.xml.ws.BindingProvider;
import javax.xml.ws.handler.Handler;
import javax.xml.ws.handler.MessageContext;
import javax.xml.ws.handler.soap.SOAPHandler;
import javax.xml.ws.handler.soap.SOAPMessageContext;
import javax.xml.ws.soap.SOAPFaultException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

public final class MitrooExample {
    static final String SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/";
    static final String WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    static final String WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    static final String DS = "http://www.w3.org/2000/09/xmldsig#";
    static final String PASSWORD_TEXT =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";

    static String setting(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    static final String BASE_URL = setting("MITROO_URL", "http://127.0.0.1:8000").replaceAll("/+$", "");
    static final String CERTIFICATE = setting("MITROO_CERT", "provider-cert.pem"); // GET /certificates, checked out of band
    static final String[] AADE = {setting("MITROO_USERNAME", "demo-aade-eispraxis"),
        setting("MITROO_PASSWORD", "demo-aade-pass-2026")};
    static final String[] CLERK = {setting("MITROO_CLERK_USERNAME", "demo-dimos-athinaion"),
        setting("MITROO_CLERK_PASSWORD", "demo-athens-pass-2026")};
    static final String[] AUDITOR = {setting("MITROO_AUDITOR_USERNAME", "demo-auditor"),
        setting("MITROO_AUDITOR_PASSWORD", "demo-auditor-pass-2026")};

    /** Adds the UsernameToken (PasswordText) to requests; checks the signature of answers and faults. */
    static final class Security implements SOAPHandler<SOAPMessageContext> {
        private final String username;
        private final String password;
        String callSequenceId;

        Security(String[] user) {
            this.username = user[0];
            this.password = user[1];
        }

        @Override
        public boolean handleMessage(SOAPMessageContext context) {
            try {
                if ((Boolean) context.get(MessageContext.MESSAGE_OUTBOUND_PROPERTY)) {
                    SOAPHeader header = context.getMessage().getSOAPPart().getEnvelope().getHeader();
                    if (header == null) {
                        header = context.getMessage().getSOAPPart().getEnvelope().addHeader();
                    }
                    SOAPElement token = header.addChildElement("Security", "wsse", WSSE)
                        .addChildElement("UsernameToken", "wsse");
                    token.addChildElement("Username", "wsse").addTextNode(username);
                    token.addChildElement("Password", "wsse").addAttribute(new QName("Type"), PASSWORD_TEXT)
                        .addTextNode(password);
                } else {
                    callSequenceId = verifiedCallSequenceId(context);
                }
                return true;
            } catch (Exception error) {
                throw new IllegalStateException(error.getMessage(), error);
            }
        }

        @Override
        public boolean handleFault(SOAPMessageContext context) {
            return handleMessage(context);
        }

        @Override
        public void close(MessageContext context) {
        }

        @Override
        public Set<QName> getHeaders() {
            return Set.of(new QName(WSSE, "Security")); // the answer's signed header is understood here
        }
    }

    /**
     * xmlsec1 verifies the cryptography against the pinned certificate; then exactly one Body, its
     * wsu:Id among the signed references, no wsu:Id twice, and a Timestamp that has not expired.
     */
    static String verifiedCallSequenceId(SOAPMessageContext context) throws Exception {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        context.getMessage().writeTo(answer);
        Path file = Files.createTempFile("mitroo", ".xml");
        try {
            Files.write(file, answer.toByteArray());
            Process xmlsec = new ProcessBuilder("xmlsec1", "--verify", "--pubkey-cert-pem", CERTIFICATE,
                "--id-attr:Id", SOAP_ENV + ":Body", "--id-attr:Id", WSU + ":Timestamp", file.toString())
                .redirectErrorStream(true).start();
            String output = new String(xmlsec.getInputStream().readAllBytes()).trim();
            if (xmlsec.waitFor() != 0) {
                throw new SecurityException("signature not valid: " + output.replace('\n', ' '));
            }
        } finally {
            Files.delete(file);
        }
        Document document = context.getMessage().getSOAPPart();
        NodeList bodies = document.getElementsByTagNameNS(SOAP_ENV, "Body");
        Set<String> ids = new HashSet<>();
        NodeList all = document.getElementsByTagNameNS("*", "*");
        for (int i = 0; i < all.getLength(); i++) {
            String id = ((Element) all.item(i)).getAttributeNS(WSU, "Id");
            if (!id.isEmpty() && !ids.add(id)) {
                throw new SecurityException("the Body is not the one that was signed (wsu:Id " + id + " twice)");
            }
        }
        Set<String> signed = new HashSet<>();
        NodeList references = document.getElementsByTagNameNS(DS, "Reference");
        for (int i = 0; i < references.getLength(); i++) {
            Element reference = (Element) references.item(i);
            if ("SignedInfo".equals(reference.getParentNode().getLocalName())) {
                signed.add(reference.getAttribute("URI").replaceFirst("^#", ""));
            }
        }
        if (bodies.getLength() != 1 || !signed.contains(((Element) bodies.item(0)).getAttributeNS(WSU, "Id"))) {
            throw new SecurityException("the Body is not the one that was signed");
        }
        String expires = document.getElementsByTagNameNS(WSU, "Expires").item(0).getTextContent();
        if (OffsetDateTime.parse(expires).isBefore(OffsetDateTime.now())) {
            throw new SecurityException("the answer has expired");
        }
        NodeList sequenceIds = document.getElementsByTagNameNS("*", "callSequenceId");
        return sequenceIds.item(sequenceIds.getLength() - 1).getTextContent(); // the answer's, after any record's
    }

    /** A port of a wsimport-generated service, on the live endpoint, with the Security handler. */
    static <P> P port(P port, String service, Security security) {
        BindingProvider provider = (BindingProvider) port;
        provider.getRequestContext().put(BindingProvider.ENDPOINT_ADDRESS_PROPERTY, BASE_URL + "/ws/" + service);
        @SuppressWarnings("rawtypes")
        List<Handler> chain = provider.getBinding().getHandlerChain();
        chain.add(security);
        provider.getBinding().setHandlerChain(chain);
        return port;
    }

    static URL wsdl(String service) throws Exception {
        return new URL(BASE_URL + "/ws/" + service + "?wsdl");
    }

    /** The six mandatory auditRecord fields (each service's package has its own AuditRecord class). */
    static String audit(Consumer<String> id, Consumer<String> date, Consumer<String> unit, Consumer<String> protocol,
                        Consumer<String> userId, Consumer<String> userIp) {
        String transaction = UUID.randomUUID().toString();
        id.accept(transaction);
        date.accept(OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString());
        unit.accept("Δ/νση Ελέγχου");
        protocol.accept("ΑΠ 1234/2026");
        userId.accept("user17");
        userIp.accept("10.1.2.3");
        return transaction;
    }

    static void print(String call, Security security, String outcome) {
        System.out.println(call + " callSequenceId=" + security.callSequenceId + " signature=verified " + outcome);
    }

    static void deathAct(gr.mitroo.civilregistryacts.CivilRegistryActs acts, Security security, int actNumber) {
        var request = new gr.mitroo.civilregistryacts.GetDeathAct();
        var record = new gr.mitroo.civilregistryacts.AuditRecord();
        audit(record::setAuditTransactionId, record::setAuditTransactionDate, record::setAuditUnit,
            record::setAuditProtocol, record::setAuditUserId, record::setAuditUserIp);
        request.setAuditRecord(record);
        var reference = new gr.mitroo.civilregistryacts.ActReference();
        reference.setRegistryOfficeCode("L7101");
        reference.setActNumber(actNumber);
        reference.setVolume(1);
        reference.setYear(2022);
        request.setGetDeathActInputRecord(new gr.mitroo.civilregistryacts.ActLookupInputRecord());
        request.getGetDeathActInputRecord().setActReference(reference);
        var answer = acts.getDeathAct(request);
        if (answer.getErrorRecord() != null) { // a business outcome: HTTP 200 with an errorRecord
            print("civilRegistryActs.getDeathAct", security, "errorRecord " + answer.getErrorRecord().getErrorCode()
                + ": " + answer.getErrorRecord().getErrorDescr());
            return;
        }
        var act = answer.getGetDeathActOutputRecord().getValue();
        for (var party : act.getParty()) {
            if ("deceased".equals(party.getRole())) {
                print("civilRegistryActs.getDeathAct", security, "ok deceased " + party.getFullName() + " ("
                    + party.getFullNameLatin() + ") on " + act.getEvent().getEventDate().toXMLFormat());
            }
        }
    }

    public static void main(String[] args) throws Exception {
        var dates = DatatypeFactory.newInstance();

        // registryParameters.getRegistryOffices
        var parametersSecurity = new Security(AADE);
        var parameters = port(new gr.mitroo.registryparameters.RegistryParameters_Service(wsdl("registryParameters"))
            .getRegistryParameters(), "registryParameters", parametersSecurity);
        var offices = new gr.mitroo.registryparameters.GetRegistryOffices();
        var officesAudit = new gr.mitroo.registryparameters.AuditRecord();
        String audited = audit(officesAudit::setAuditTransactionId, officesAudit::setAuditTransactionDate,
            officesAudit::setAuditUnit, officesAudit::setAuditProtocol, officesAudit::setAuditUserId,
            officesAudit::setAuditUserIp);
        offices.setAuditRecord(officesAudit);
        offices.setGetRegistryOfficesInputRecord(new gr.mitroo.registryparameters.GetRegistryOfficesInputRecord());
        offices.getGetRegistryOfficesInputRecord().setMunicipalityCode("7401");
        var officesAnswer = parameters.getRegistryOffices(offices);
        StringBuilder found = new StringBuilder();
        for (var office : officesAnswer.getGetRegistryOfficesOutputRecord().getValue().getRegistryOffice()) {
            found.append(found.length() > 0 ? ", " : "").append(office.getCode()).append(' ').append(office.getName());
        }
        print("registryParameters.getRegistryOffices", parametersSecurity, "ok " + found);

        // civilRegistryActs.getDeathAct
        var actsSecurity = new Security(AADE);
        var acts = port(new gr.mitroo.civilregistryacts.CivilRegistryActs_Service(wsdl("civilRegistryActs"))
            .getCivilRegistryActs(), "civilRegistryActs", actsSecurity);
        deathAct(acts, actsSecurity, 1);

        // civilStatusCertificates.getMaritalStatusCertificate
        var certificatesSecurity = new Security(AADE);
        var certificates = port(new gr.mitroo.civilstatuscertificates.CivilStatusCertificates_Service(
            wsdl("civilStatusCertificates")).getCivilStatusCertificates(), "civilStatusCertificates", certificatesSecurity);
        var certificate = new gr.mitroo.civilstatuscertificates.GetMaritalStatusCertificate();
        var certificateAudit = new gr.mitroo.civilstatuscertificates.AuditRecord();
        audit(certificateAudit::setAuditTransactionId, certificateAudit::setAuditTransactionDate,
            certificateAudit::setAuditUnit, certificateAudit::setAuditProtocol, certificateAudit::setAuditUserId,
            certificateAudit::setAuditUserIp);
        certificate.setAuditRecord(certificateAudit);
        var share = new gr.mitroo.civilstatuscertificates.ShareReference();
        share.setMunicipalityCode("7101");
        share.setShareNumber(21);
        var certificateInput = new gr.mitroo.civilstatuscertificates.MaritalStatusCertificateInputRecord();
        certificateInput.setShareReference(share);
        certificateInput.setPurpose("Επίδομα παιδιών έτους 2022");
        certificateInput.setAsOnDate(dates.newXMLGregorianCalendar("2022-05-19"));
        certificate.setGetMaritalStatusCertificateInputRecord(certificateInput);
        var issued = certificates.getMaritalStatusCertificate(certificate).getGetMaritalStatusCertificateOutputRecord()
            .getValue();
        print("civilStatusCertificates.getMaritalStatusCertificate", certificatesSecurity, "ok certificate "
            + issued.getHeader().getCertificateNumber() + ", " + issued.getMember().size() + " members");

        // specialElectoralRolls.checkVoterEligibility, as the clerk of a municipality
        var rollsSecurity = new Security(CLERK);
        var rolls = port(new gr.mitroo.specialelectoralrolls.SpecialElectoralRolls_Service(wsdl("specialElectoralRolls"))
            .getSpecialElectoralRolls(), "specialElectoralRolls", rollsSecurity);
        var check = new gr.mitroo.specialelectoralrolls.CheckVoterEligibility();
        var checkAudit = new gr.mitroo.specialelectoralrolls.AuditRecord();
        audit(checkAudit::setAuditTransactionId, checkAudit::setAuditTransactionDate, checkAudit::setAuditUnit,
            checkAudit::setAuditProtocol, checkAudit::setAuditUserId, checkAudit::setAuditUserIp);
        check.setAuditRecord(checkAudit);
        var applicant = new gr.mitroo.specialelectoralrolls.ApplicantCriteria();
        applicant.setPermitNumber("EL00001378");
        applicant.setSurnamePrefix("NA");
        applicant.setFirstnamePrefix("LA");
        applicant.setBirthYear(1975);
        var checkInput = new gr.mitroo.specialelectoralrolls.CheckVoterEligibilityInputRecord();
        checkInput.setApplicant(applicant);
        checkInput.setElectionCode("AUTO-2028");
        checkInput.setApplicationDate(dates.newXMLGregorianCalendar("2026-03-02"));
        check.setCheckVoterEligibilityInputRecord(checkInput);
        var eligibility = rolls.checkVoterEligibility(check).getCheckVoterEligibilityOutputRecord().getValue();
        print("specialElectoralRolls.checkVoterEligibility", rollsSecurity, "ok eligible=" + eligibility.isEligible()
            + " category=" + eligibility.getCategory().getLetter());

        // audit.searchAuditEvents: the auditor finds the first call by its auditTransactionId
        var auditSecurity = new Security(AUDITOR);
        var auditPort = port(new gr.mitroo.audit.Audit_Service(wsdl("audit")).getAudit(), "audit", auditSecurity);
        var search = new gr.mitroo.audit.SearchAuditEvents();
        var searchAudit = new gr.mitroo.audit.AuditRecord();
        audit(searchAudit::setAuditTransactionId, searchAudit::setAuditTransactionDate, searchAudit::setAuditUnit,
            searchAudit::setAuditProtocol, searchAudit::setAuditUserId, searchAudit::setAuditUserIp);
        search.setAuditRecord(searchAudit);
        search.setSearchAuditEventsInputRecord(new gr.mitroo.audit.SearchAuditEventsInputRecord());
        search.getSearchAuditEventsInputRecord().setTransactionId(audited);
        StringBuilder events = new StringBuilder();
        for (var event : auditPort.searchAuditEvents(search).getSearchAuditEventsOutputRecord().getValue().getAuditEvent()) {
            events.append(events.length() > 0 ? ", " : "").append(event.getService()).append('.')
                .append(event.getOperation()).append(" by ").append(event.getUsername()).append(": ")
                .append(event.getOutcome());
        }
        print("audit.searchAuditEvents", auditSecurity, "ok " + events);

        // An errorRecord: no such act (MP_NOT_FOUND)
        deathAct(acts, actsSecurity, 99999);

        // A fault: a wrong password (MP_AUTHENTICATION_FAILED), HTTP 500, signed like every answer
        var wrongSecurity = new Security(new String[] {AADE[0], "not-the-password"});
        var wrong = port(new gr.mitroo.registryparameters.RegistryParameters_Service(wsdl("registryParameters"))
            .getRegistryParameters(), "registryParameters", wrongSecurity);
        try {
            wrong.getRegistryOffices(offices);
            throw new IllegalStateException("a wrong password was accepted");
        } catch (SOAPFaultException fault) {
            var detail = fault.getFault().getDetail();
            String code = detail == null ? "" : detail.getElementsByTagNameNS("*", "errorCode").item(0).getTextContent();
            print("registryParameters.getRegistryOffices", wrongSecurity, "fault soap:"
                + fault.getFault().getFaultCodeAsQName().getLocalPart() + " " + code + ": "
                + fault.getFault().getFaultString());
        }
    }

    static {
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
            Throwable cause = error;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            System.err.println("error: " + cause.getMessage());
            System.exit(1);
        });
    }
}
