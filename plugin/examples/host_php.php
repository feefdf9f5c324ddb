<?php
/*
 * A PHP host for libscoliomassage_plugin.so using PHP's FFI extension, as an
 * OpenEMR-style PHP practice system would. Runs one check-in against
 * scoliomassaged (recommend, log the outcome, read the history), then shows
 * a bad request and a service that is down.
 *
 *   php -d ffi.enable=1 host_php.php [PLUGIN_SO [TARGET]]
 *   (or env SMP_PLUGIN, SMP_TARGET, SMP_TOKEN)
 *
 * Exits 0 only when every expectation held, so tests can run it.
 */

const SMP_OK = 0;
const SMP_INVALID_ARGUMENT = 3;
const SMP_UNAVAILABLE = 14;
const SMP_ABI_VERSION = 1;

/* The declarations of plugin.h (FFI's parser takes no preprocessor lines). */
const SMP_CDEF = <<<'C'
typedef struct smp_client smp_client;
int smp_client_open(const char *config_json, smp_client **out);
void smp_client_close(smp_client *c);
int smp_recommend_protocol(smp_client *c, const char *request_json, char **response_json);
int smp_log_outcome(smp_client *c, const char *request_json, char **response_json);
int smp_amend_outcome(smp_client *c, const char *request_json, char **response_json);
int smp_get_outcome(smp_client *c, const char *request_json, char **response_json);
int smp_patient_history(smp_client *c, const char *request_json, char **response_json);
int smp_flush(smp_client *c, char **response_json);
const char *smp_last_error(void);
const char *smp_strerror(int code);
void smp_free(char *s);
const char *smp_version(void);
int smp_abi_version(void);
C;

/* The C ABI with PHP types: JSON strings become arrays. */
final class ScolioMassagePlugin
{
    private FFI $ffi;

    public function __construct(string $path)
    {
        $this->ffi = FFI::cdef(SMP_CDEF, $path);
    }

    public function version(): string { return $this->ffi->smp_version(); }
    public function abiVersion(): int { return $this->ffi->smp_abi_version(); }
    public function lastError(): string { return $this->ffi->smp_last_error(); }
    public function strerror(int $code): string { return $this->ffi->smp_strerror($code); }

    /** @return array{int, ?FFI\CData} */
    public function open(array $config): array
    {
        $client = $this->ffi->new('smp_client *');
        $code = $this->ffi->smp_client_open(json_encode($config), FFI::addr($client));
        return [$code, $code === SMP_OK ? $client : null];
    }

    public function close(?FFI\CData $client): void
    {
        if ($client !== null) {
            $this->ffi->smp_client_close($client);
        }
    }

    /** @return array{int, ?array} the code and the decoded response */
    public function call(string $function, FFI\CData $client, array|string $request): array
    {
        $body = is_string($request) ? $request : json_encode($request);
        $response = $this->ffi->new('char *');
        $code = $this->ffi->$function($client, $body, FFI::addr($response));
        $decoded = null;
        if (!FFI::isNull($response)) {
            $decoded = json_decode(FFI::string($response), true);
            $this->ffi->smp_free($response);  // the library's memory, the library's free
        }
        return [$code, $decoded];
    }
}

$failures = 0;
function expect(bool $ok, string $what): void
{
    global $failures;
    echo ($ok ? 'ok   ' : 'FAIL ') . $what . "\n";
    if (!$ok) {
        $failures++;
    }
}

function closedPort(): int
{
    $server = stream_socket_server('tcp://127.0.0.1:0');
    $name = stream_socket_get_name($server, false);
    fclose($server);
    return (int) substr($name, strrpos($name, ':') + 1);
}

$pluginPath = $argv[1] ?? getenv('SMP_PLUGIN');
$target = $argv[2] ?? getenv('SMP_TARGET');
if (!$pluginPath || !$target) {
    fwrite(STDERR, "usage: php -d ffi.enable=1 host_php.php PLUGIN_SO TARGET\n");
    exit(2);
}
if (!extension_loaded('ffi')) {
    fwrite(STDERR, "PHP's FFI extension is not loaded\n");
    exit(1);
}

$smp = new ScolioMassagePlugin($pluginPath);
echo "plugin {$smp->version()}, ABI {$smp->abiVersion()}\n";
expect($smp->abiVersion() === SMP_ABI_VERSION, 'library ABI matches this host');

$config = ['target' => $target, 'deadlineMs' => 5000];
if (getenv('SMP_TOKEN')) {
    $config['token'] = getenv('SMP_TOKEN');
}
[$code, $client] = $smp->open($config);
expect($code === SMP_OK, 'open a client');
if ($code !== SMP_OK) {
    fwrite(STDERR, $smp->lastError() . "\n");
    exit(1);
}

// 1. Check-in: today's protocol for a lumbar C-curve patient.
$patient = 'php-host-' . getmypid() . '-' . time();
[$code, $recommendation] = $smp->call('smp_recommend_protocol', $client, [
    'patientId' => $patient,
    'profile' => ['ageYears' => 17, 'primaryRegion' => 'SPINE_REGION_LUMBAR',
                  'curvePattern' => 'CURVE_PATTERN_C_CURVE', 'convexSide' => 'SIDE_LEFT'],
    'screening' => ['painNrs' => 3],
]);
expect($code === SMP_OK, 'recommend a protocol');
if ($code !== SMP_OK) {
    fwrite(STDERR, "  $code {$smp->lastError()}\n");
    exit(1);
}
expect(str_starts_with($recommendation['decision'] ?? '', 'DECISION_PROCEED'), 'decision is to proceed');
$protocol = $recommendation['protocol'] ?? [];
expect(!empty($protocol['protocolId']) && !empty($protocol['steps']),
       'the recommendation has a protocol with steps');
printf("  protocol %s v%d, session %d, %d minutes\n", $protocol['protocolId'] ?? '?',
       $protocol['protocolVersion'] ?? 0, $protocol['sessionNumber'] ?? 0, $protocol['totalMinutes'] ?? 0);

// 2. After the session: log what happened.
$outcome = [
    'patientId' => $patient, 'therapistId' => 't-php-host',
    'recommendationId' => $recommendation['recommendationId'] ?? '',
    'protocolId' => $protocol['protocolId'] ?? '',
    'protocolVersion' => $protocol['protocolVersion'] ?? 0,
    'sessionNumber' => $protocol['sessionNumber'] ?? 1,
    'minutes' => $protocol['totalMinutes'] ?? 15,
    'painBefore' => 3, 'painAfter' => 1,
    'relaxationNotes' => 'fell asleep during the leg work',
    'performedAt' => gmdate('Y-m-d\TH:i:s\Z', time() - 60),
];
[$code, $stored] = $smp->call('smp_log_outcome', $client, ['outcome' => $outcome]);
expect($code === SMP_OK, 'log the outcome');
$name = $stored['name'] ?? '';
echo '  stored ' . ($name ?: $smp->lastError()) . "\n";
expect(str_starts_with($name, 'outcomes/'), 'the outcome has a name');

// 3. The therapist's view: the patient's history shows the session.
[$code, $history] = $smp->call('smp_patient_history', $client,
                               ['filter' => ['patientId' => $patient], 'pageSize' => 10]);
expect($code === SMP_OK, 'read the patient history');
$names = array_column($history['outcomes'] ?? [], 'name');
expect(in_array($name, $names, true), 'the history contains the logged outcome');

// 4. A bad request: pain 42 on a 0-10 scale.
[$code, $response] = $smp->call('smp_log_outcome', $client,
                                ['outcome' => array_merge($outcome, ['painAfter' => 42])]);
$error = $smp->lastError();
echo "  bad request -> $code {$smp->strerror($code)}: $error\n";
expect($code === SMP_INVALID_ARGUMENT, 'pain 42 is INVALID_ARGUMENT');
expect(str_contains($error, 'pain_after') || str_contains($error, 'painAfter'),
       'the last error names the field');
expect($response === null, 'no response on error');

// 5. Malformed JSON never reaches the service.
[$code] = $smp->call('smp_recommend_protocol', $client, '{"patientId":');
expect($code === SMP_INVALID_ARGUMENT && $smp->lastError() !== '',
       'malformed JSON is INVALID_ARGUMENT with a message');
$smp->close($client);

// 6. The service is down: UNAVAILABLE, quickly.
[$code, $client] = $smp->open(['target' => '127.0.0.1:' . closedPort(), 'deadlineMs' => 1000]);
expect($code === SMP_OK, 'open a client for a closed port');
$started = microtime(true);
[$code] = $smp->call('smp_recommend_protocol', $client,
                     ['patientId' => 'p', 'profile' => ['primaryRegion' => 'SPINE_REGION_LUMBAR']]);
$elapsed = microtime(true) - $started;
printf("  server down -> %d %s after %.0f ms: %s\n", $code, $smp->strerror($code),
       $elapsed * 1000, $smp->lastError());
expect($code === SMP_UNAVAILABLE, 'a closed port is UNAVAILABLE');
expect($elapsed < 1.5, 'within the deadline');
$smp->close($client);

echo ($failures ? 'FAILED' : 'PASSED') . ": $failures failure(s)\n";
exit($failures ? 1 : 0);
