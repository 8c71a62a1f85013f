<?php
// Calling the Mitroo Politon provider with PHP's SoapClient (Debian: php-cli php-soap, and xmlsec1).
//
//   MITROO_URL=http://127.0.0.1:8000 MITROO_CERT=provider-cert.pem php mitroo_example.php
//
// One call per service as the demo users of scripts/serve, then an errorRecord and a fault. Every
// answer's signature is checked (xmlsec1 against the pinned certificate, and the Body that is read
// is the one that was signed) before it is used. Prints one line per call; exits 1 on a failure.
// tests/docs/test_examples.py runs it against the provider.

declare(strict_types=1);

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';

function setting(string $name, string $default): string
{
    $value = getenv($name);
    return $value === false || $value === '' ? $default : $value;
}

$baseUrl = rtrim(setting('MITROO_URL', 'http://127.0.0.1:8000'), '/');
$certificate = setting('MITROO_CERT', 'provider-cert.pem');  // from GET /certificates, checked out of band
$aade = [setting('MITROO_USERNAME', 'demo-aade-eispraxis'), setting('MITROO_PASSWORD', 'demo-aade-pass-2026')];
$clerk = [setting('MITROO_CLERK_USERNAME', 'demo-dimos-athinaion'), setting('MITROO_CLERK_PASSWORD', 'demo-athens-pass-2026')];
$auditor = [setting('MITROO_AUDITOR_USERNAME', 'demo-auditor'), setting('MITROO_AUDITOR_PASSWORD', 'demo-auditor-pass-2026')];

/** A SoapClient for one service that sends the UsernameToken (PasswordText) in every request. */
function client(string $baseUrl, string $service, array $user): SoapClient
{
    $client = new SoapClient("$baseUrl/ws/$service?wsdl", [
        'soap_version' => SOAP_1_1,
        'trace' => true,          // keeps the raw answer, whose signature is checked
        'exceptions' => true,     // a SOAP Fault becomes a SoapFault
        'cache_wsdl' => WSDL_CACHE_NONE,
        'encoding' => 'UTF-8',
        'connection_timeout' => 10,
    ]);
    $token = sprintf(
        '<wsse:Security xmlns:wsse="%s"><wsse:UsernameToken><wsse:Username>%s</wsse:Username>'
        . '<wsse:Password Type="%s">%s</wsse:Password></wsse:UsernameToken></wsse:Security>',
        WSSE, htmlspecialchars($user[0], ENT_XML1), PASSWORD_TEXT, htmlspecialchars($user[1], ENT_XML1)
    );
    $client->__setSoapHeaders([new SoapHeader(WSSE, 'Security', new SoapVar($token, XSD_ANYXML))]);
    return $client;
}

/** The six mandatory auditRecord fields: a new id and the current time (with its zone) on every call. */
function auditRecord(string $protocol): array
{
    return [
        'auditTransactionId' => bin2hex(random_bytes(16)),
        'auditTransactionDate' => (new DateTimeImmutable('now'))->format(DATE_ATOM),
        'auditUnit' => 'Δ/νση Ελέγχου',
        'auditProtocol' => $protocol,
        'auditUserId' => 'user17',
        'auditUserIp' => '10.1.2.3',
    ];
}

/**
 * Check the answer's signature before reading it: xmlsec1 verifies the cryptography against the
 * pinned certificate; then exactly one Body, its wsu:Id among the signed references, no wsu:Id
 * twice, and a Timestamp that has not expired. Returns the callSequenceId.
 */
function verifiedCallSequenceId(string $answer, string $certificate): string
{
    $file = tempnam(sys_get_temp_dir(), 'mitroo');
    file_put_contents($file, $answer);
    exec(sprintf(
        'xmlsec1 --verify --pubkey-cert-pem %s --id-attr:Id %s --id-attr:Id %s %s 2>&1',
        escapeshellarg($certificate), escapeshellarg(SOAP_ENV . ':Body'), escapeshellarg(WSU . ':Timestamp'),
        escapeshellarg($file)
    ), $output, $status);
    unlink($file);
    if ($status !== 0) {
        throw new RuntimeException('signature not valid: ' . implode(' ', $output));
    }
    $document = new DOMDocument();
    $document->loadXML($answer, LIBXML_NONET);
    $xpath = new DOMXPath($document);
    $xpath->registerNamespace('soap', SOAP_ENV);
    $xpath->registerNamespace('wsu', WSU);
    $xpath->registerNamespace('ds', DS);
    $bodies = $xpath->query('//soap:Body');
    $ids = [];
    foreach ($xpath->query('//@wsu:Id') as $id) {
        $ids[] = $id->value;
    }
    $signed = [];
    foreach ($xpath->query('//ds:Signature/ds:SignedInfo/ds:Reference/@URI') as $uri) {
        $signed[] = ltrim($uri->value, '#');
    }
    $bodyId = $bodies->length === 1 ? $bodies->item(0)->getAttributeNS(WSU, 'Id') : '';
    if ($bodies->length !== 1 || !in_array($bodyId, $signed, true) || count($ids) !== count(array_unique($ids))) {
        throw new RuntimeException('the Body is not the one that was signed');
    }
    $expires = $xpath->evaluate('string(//wsu:Timestamp/wsu:Expires)');
    if ($expires === '' || new DateTimeImmutable($expires) < new DateTimeImmutable('now')) {
        throw new RuntimeException('the answer has expired');
    }
    return $xpath->evaluate('string((//*[local-name()="callSequenceId"])[last()])');  // the answer's, after any record's
}

/** Call, check the signature, and print one line; a successful answer's OutputRecord is returned. */
function call(SoapClient $client, string $service, string $operation, array $input, string $certificate,
              ?array $record = null): ?object
{
    $record ??= auditRecord('ΑΠ 1234/2026');
    try {
        $answer = $client->__soapCall($operation, [[
            'auditRecord' => $record,
            "{$operation}InputRecord" => $input,
        ]]);
    } catch (SoapFault $fault) {
        // A protocol failure: HTTP 500 (or 503), faultcode soap:Client.<code> or soap:Server.<code>,
        // the errorRecord and the callSequenceId in the detail. Signed like every answer.
        $id = verifiedCallSequenceId((string) $client->__getLastResponse(), $certificate);
        $code = $fault->detail->errorRecord->errorCode ?? $fault->faultcode;
        printf("%s.%s callSequenceId=%s signature=verified fault %s %s: %s\n", $service, $operation, $id,
            $fault->faultcode, $code, $fault->faultstring);
        return null;
    }
    $id = verifiedCallSequenceId((string) $client->__getLastResponse(), $certificate);
    if (isset($answer->errorRecord)) {
        // A business outcome (not found, not authorized, ...): HTTP 200 with an errorRecord.
        printf("%s.%s callSequenceId=%s signature=verified errorRecord %s: %s\n", $service, $operation, $id,
            $answer->errorRecord->errorCode, $answer->errorRecord->errorDescr);
        return null;
    }
    $output = $answer->{"{$operation}OutputRecord"};
    printf("%s.%s callSequenceId=%s signature=verified ok %s\n", $service, $operation, $id, summary($operation, $output));
    return $output;
}

/** A repeated element is an array when it occurs more than once, an object when once. */
function all($value): array
{
    return $value === null ? [] : (is_array($value) ? $value : [$value]);
}

function summary(string $operation, object $output): string
{
    switch ($operation) {
        case 'getRegistryOffices':
            return implode(', ', array_map(fn($office) => "$office->code $office->name", all($output->registryOffice)));
        case 'getDeathAct':
            foreach (all($output->party) as $party) {
                if ($party->role === 'deceased') {
                    return "deceased $party->fullName ($party->fullNameLatin) on {$output->event->eventDate}";
                }
            }
            return 'no deceased';
        case 'getMaritalStatusCertificate':
            return sprintf('certificate %s, %d members', $output->header->certificateNumber, count(all($output->member)));
        case 'checkVoterEligibility':
            return sprintf('eligible=%s category=%s', var_export($output->eligible, true), $output->category->letter);
        case 'searchAuditEvents':
            return implode(', ', array_map(
                fn($event) => "$event->service.$event->operation by $event->username: $event->outcome",
                all($output->auditEvent ?? null)
            ));
    }
    return '';
}

try {
    $audited = auditRecord('ΑΠ 1234/2026');  // kept: the auditor finds this call by its auditTransactionId
    $parameters = client($baseUrl, 'registryParameters', $aade);
    call($parameters, 'registryParameters', 'getRegistryOffices', ['municipalityCode' => '7401'], $certificate, $audited);

    $acts = client($baseUrl, 'civilRegistryActs', $aade);
    $reference = ['registryOfficeCode' => 'L7101', 'actNumber' => 1, 'volume' => 1, 'year' => 2022];
    call($acts, 'civilRegistryActs', 'getDeathAct', ['actReference' => $reference], $certificate);

    call(client($baseUrl, 'civilStatusCertificates', $aade), 'civilStatusCertificates', 'getMaritalStatusCertificate', [
        'shareReference' => ['municipalityCode' => '7101', 'shareNumber' => '21'],
        'purpose' => 'Επίδομα παιδιών έτους 2022',
        'asOnDate' => '2022-05-19',
    ], $certificate);

    call(client($baseUrl, 'specialElectoralRolls', $clerk), 'specialElectoralRolls', 'checkVoterEligibility', [
        'applicant' => ['permitNumber' => 'EL00001378', 'surnamePrefix' => 'NA', 'firstnamePrefix' => 'LA',
                        'birthYear' => 1975],
        'electionCode' => 'AUTO-2028',
        'applicationDate' => '2026-03-02',
    ], $certificate);

    call(client($baseUrl, 'audit', $auditor), 'audit', 'searchAuditEvents',
        ['transactionId' => $audited['auditTransactionId']], $certificate);

    // An errorRecord: no such act (MP_NOT_FOUND).
    call($acts, 'civilRegistryActs', 'getDeathAct', ['actReference' => ['actNumber' => 99999] + $reference], $certificate);

    // A fault: a wrong password (MP_AUTHENTICATION_FAILED).
    $wrong = client($baseUrl, 'registryParameters', [$aade[0], 'not-the-password']);
    call($wrong, 'registryParameters', 'getRegistryOffices', ['municipalityCode' => '7401'], $certificate);
} catch (Throwable $error) {
    fwrite(STDERR, 'error: ' . $error->getMessage() . "\n");
    exit(1);
}
