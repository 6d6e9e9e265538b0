/**
 * The failure classes a pipeline run, deployment or training job can be
 * sorted into, most specific first. The order matters: it is the order
 * {@link classifyFailureReason} reports matches in, so a line that mentions
 * both `CUDA out of memory` and a generic error lists the CUDA class first.
 *
 * @public
 */
export const FAILURE_CLASS_IDS = [
  'cuda_out_of_memory',
  'cuda_unavailable',
  'oom_killed',
  'image_pull_backoff',
  'crash_loop_backoff',
  'probe_failed',
  'insufficient_resources',
  'disk_full',
  'mlflow_unreachable',
  'model_load_error',
  'artifact_store_error',
  'database_migration_lock',
  'database_connection',
  'data_schema_mismatch',
  'data_missing',
  'data_quality_check_failed',
  'model_quality_gate_failed',
  'validation_error',
  'dependency_error',
  'code_error',
  'upstream_task_failed',
  'port_in_use',
  'metrics_unavailable',
  'permission_denied',
  'upstream_api_error',
  'timeout',
  'network_error',
] as const;

/**
 * A classified failure reason, e.g. `oom_killed`.
 *
 * @public
 */
export type FailureClass = (typeof FAILURE_CLASS_IDS)[number];

/**
 * How a failure class is recognised in an error message or log line.
 *
 * @public
 */
export interface FailureClassDefinition {
  id: FailureClass;
  /** Short human title, e.g. "Container killed for using too much memory". */
  title: string;
  /** Any one matching pattern puts a text into this class. */
  patterns: readonly RegExp[];
}

/**
 * Every failure class with the patterns that recognise it, in the same order
 * as {@link FAILURE_CLASS_IDS}.
 *
 * Patterns are deliberately anchored on error vocabulary (exception names,
 * Kubernetes reasons, HTTP status phrases) rather than on loose words such as
 * "error" or "timeout", so that ordinary log chatter and config lines do not
 * get classified.
 *
 * @public
 */
export const FAILURE_CLASSES: readonly FailureClassDefinition[] = [
  {
    id: 'cuda_out_of_memory',
    title: 'GPU ran out of memory',
    patterns: [
      /CUDA out of memory/i,
      /\bcuda\.OutOfMemoryError\b/i,
      /CUBLAS_STATUS_ALLOC_FAILED/i,
      /\bCUDA error: out of memory\b/i,
      /RESOURCE_EXHAUSTED:? OOM when allocating tensor/i,
    ],
  },
  {
    id: 'cuda_unavailable',
    title: 'GPU or CUDA not available to the job',
    patterns: [
      /cuda\.is_available\(\)\s*(?:returned|returns|==|is|->|:)\s*False/i,
      /Torch not compiled with CUDA enabled/i,
      /no CUDA-capable device is detected/i,
      /CUDA driver version is insufficient/i,
      /Found no NVIDIA driver on your system/i,
      /NVIDIA-SMI has failed/i,
      /\b(?:nvidia-smi|nvcc)\b[:\s]+(?:command )?not found/i,
      /could not select device driver "[^"]*" with capabilities: \[\[gpu\]\]/i,
      /libcuda\.so[.\d]*: cannot open shared object file/i,
      /Insufficient nvidia\.com\/gpu/i,
    ],
  },
  {
    id: 'oom_killed',
    title: 'Process killed for running out of memory',
    patterns: [
      /\bOOMKilled\b/i,
      /\bexit(?:ed)?(?: with)? (?:code|status)[:=]?\s*137\b/i,
      /\bOut of memory: Kill(?:ed)? process\b/i,
      /\bmemory cgroup out of memory\b/i,
      /\bKilled\s+(?:python|java|process)\b.*\bsignal 9\b/i,
      /(?<!\w)MemoryError\b/,
      /\bCannot allocate memory\b/i,
      /\bJava heap space\b/i,
    ],
  },
  {
    id: 'image_pull_backoff',
    title: 'Container image could not be pulled',
    patterns: [
      /\bImagePullBackOff\b/i,
      /\bErrImagePull\b/i,
      /\bFailed to pull image\b/i,
      /\bInvalidImageName\b/i,
      /\bpull access denied\b/i,
      /\bmanifest (?:for \S+ )?(?:unknown|not found)\b/i,
    ],
  },
  {
    id: 'crash_loop_backoff',
    title: 'Container keeps crashing on start',
    patterns: [
      /\bCrashLoopBackOff\b/i,
      /\bBack-off restarting failed container\b/i,
    ],
  },
  {
    id: 'probe_failed',
    title: 'Readiness or liveness probe failing',
    patterns: [
      /\b(?:Readiness|Liveness|Startup) probe failed\b/i,
      /\bprobe failed with statuscode: \d+/i,
      /\bUnhealthy\b.*\bprobe\b/i,
    ],
  },
  {
    id: 'insufficient_resources',
    title: 'Not enough cluster capacity or quota to schedule',
    patterns: [
      /\bFailedScheduling\b/i,
      /\b\d+\/\d+ nodes are available\b/i,
      /\bInsufficient (?:cpu|memory|ephemeral-storage)\b/i,
      /\bexceeded quota\b/i,
      /\bUnschedulable\b/,
      /\bpod has unbound immediate PersistentVolumeClaims\b/i,
    ],
  },
  {
    id: 'disk_full',
    title: 'Disk or volume full',
    patterns: [
      /\bNo space left on device\b/i,
      /\bENOSPC\b/,
      /\bDisk quota exceeded\b/i,
      /\bDiskPressure\b/i,
      /\blow on resource: ephemeral-storage\b/i,
      /\bXMinioStorageFull\b/i,
      /\bcould not extend file\b/i,
    ],
  },
  {
    id: 'mlflow_unreachable',
    title: 'MLflow tracking server unreachable',
    patterns: [
      /MlflowException:?\s*API request to \S+ failed/i,
      /API request to \S*\/api\/2\.0\/mlflow\/\S* failed/i,
      /Max retries exceeded with url: \/api\/2\.0\/mlflow\//i,
      /(?:ConnectionRefusedError|Connection refused|ECONNREFUSED)[^\n]*:5000\b/i,
      /\bmlflow\b[^\n]*\b(?:connection refused|unreachable|failed to connect|could not connect|name or service not known)\b/i,
    ],
  },
  {
    id: 'model_load_error',
    title: 'Model could not be found or loaded',
    patterns: [
      /\bRESOURCE_DOES_NOT_EXIST\b/,
      /\bRegistered Model with name=\S+ not found\b/i,
      /\bNo versions of model with name '[^']*' and stage '[^']*' found\b/i,
      /\b(?:failed|unable|could not) to load (?:the )?model\b/i,
      /\bmodel (?:is )?not loaded\b/i,
      /\bUnpicklingError\b/,
      /\bCan't get attribute '\w+' on <module\b/i,
    ],
  },
  {
    id: 'artifact_store_error',
    title: 'Artifact store (S3/MinIO/DVC remote) refused or failed the request',
    patterns: [
      /\bAccessDenied\b/,
      /\bNoSuchBucket\b/i,
      /\bS3UploadFailedError\b/i,
      /\bXMinio\w+\b/,
      /\bAn error occurred \(\w+\) when calling the (?:PutObject|GetObject|HeadObject|HeadBucket|ListObjects\w*|CreateMultipartUpload|UploadPart|CopyObject|DeleteObject) operation\b/i,
      /\bfailed to (?:push|pull) data (?:to|from) the cloud\b/i,
      /\b(?:failed|unable) to (?:upload|log|download) (?:the )?artifacts?\b/i,
    ],
  },
  {
    id: 'database_migration_lock',
    title: 'Database schema out of date, missing or locked by a migration',
    patterns: [
      /\bCan't locate revision\b/i,
      /\bWaiting for (?:the )?migration lock\b/i,
      /\bmigration lock\b/i,
      /\balembic\b[^\n]*\b(?:error|failed|lock|can't|cannot|CommandError)\b/i,
      /\bDetected out-of-date database schema\b/i,
      /\bmlflow db upgrade\b/i,
      /\bYou need to initialize the database\b/i,
      /\bdatabase is locked\b/i,
      /\bno such table: \w+/i,
      /\brelation "[\w.]+" does not exist\b/i,
    ],
  },
  {
    id: 'database_connection',
    title: 'Database refused or dropped the connection',
    patterns: [
      /\bsorry, too many clients already\b/i,
      /\btoo many connections\b/i,
      /\bremaining connection slots are reserved\b/i,
      /\bcould not connect to server\b/i,
      /\bconnection to server at \S+[^\n]* failed\b/i,
      /\bpsycopg2?\.OperationalError\b/i,
      /\bpassword authentication failed for user\b/i,
      /\bQueuePool limit of size \d+ overflow \d+ reached\b/i,
      /(?:Connection refused|ECONNREFUSED)[^\n]*:(?:5432|3306)\b/i,
      /:(?:5432|3306) - no response\b/i,
    ],
  },
  {
    id: 'data_schema_mismatch',
    title: 'Data does not match the expected schema',
    patterns: [
      /\bschema mismatch\b/i,
      /\bSchemaError\b/,
      /\bmissing (?:required )?columns?\b/i,
      /\bcolumns? ['"]?[\w.]+['"]? (?:not found|is missing|does not exist)\b/i,
      /\bcolumn "\w+" does not exist\b/i,
      /\bKeyError: ['"][^'"]+['"]/,
      /\bcould not convert string to float\b/i,
      /\bfeature names (?:should match|seen at fit time|unseen at fit time)\b/i,
      /\bX has \d+ features, but \w+ is expecting \d+ features\b/i,
      /\bexpected \d+ features?,? (?:but )?got \d+\b/i,
      /\b(?:incompatible|mismatched) (?:dtypes?|data types?)\b/i,
    ],
  },
  {
    id: 'data_missing',
    title: 'Input data missing or not yet arrived',
    patterns: [
      /\bFileNotFoundError\b/,
      /\bNo such file or directory\b/i,
      /\bENOENT\b/,
      /\bNoSuchKey\b/,
      /\bThe specified key does not exist\b/i,
      /\bPath does not exist\b/i,
      /\bEmptyDataError\b/,
      /\b(?:upstream|input|source|training) data (?:has )?not (?:yet )?(?:arrived|available|been delivered)\b/i,
      /\bno new (?:training |input )?data (?:available|found|arrived)\b/i,
      /\b(?:input|source) (?:data|file|partition)s? (?:not found|missing|is empty)\b/i,
      /\boutput '[^']+' does not exist\b/i,
    ],
  },
  {
    id: 'data_quality_check_failed',
    title: 'Data quality check failed',
    patterns: [
      /\bdata quality (?:too low|check failed|validation failed|below threshold)\b/i,
      /\bexpectations? (?:suite )?(?:failed|were not met|unsuccessful)\b/i,
      /\btoo many (?:missing|null|duplicate) (?:values|rows)\b/i,
    ],
  },
  {
    id: 'model_quality_gate_failed',
    title: 'Model failed its quality gate',
    patterns: [
      /\bmodel (?:accuracy|performance|f1|auc) (?:is )?too low\b/i,
      /\b(?:accuracy|f1(?:[_ ]score)?|auc|precision|recall) [^\n]{0,40}\b(?:below|under|less than) (?:the )?(?:threshold|minimum|baseline)\b/i,
      /\b(?:quality|validation|evaluation) gate failed\b/i,
    ],
  },
  {
    id: 'validation_error',
    title: 'Request or input validation failed',
    patterns: [
      /\bUnprocessable (?:Entity|Content)\b/i,
      /\bRequestValidationError\b/,
      /\bpydantic[\w.]*ValidationError\b/i,
      /\b\d+ validation errors? for \w+/i,
      /\bvalue_error\.missing\b/i,
      /\bHTTP\/[\d.]+" 422\b/,
      /\bstatus(?:[_ ]code)?[=: ]+422\b/i,
    ],
  },
  {
    id: 'dependency_error',
    title: 'Missing or conflicting dependency',
    patterns: [
      /\bModuleNotFoundError\b/,
      /\bImportError\b/,
      /\bNo module named\b/i,
      /\bcannot import name\b/i,
      /\bVersionConflict\b/,
      /\bResolutionImpossible\b/,
      /\bdependency conflicts?\b/i,
      /\bCould not find a version that satisfies the requirement\b/i,
      /\brequires [^\n]+, but you have [^\n]+ which is incompatible\b/i,
      /\bDistributionNotFound\b/,
      /\bGLIBC(?:XX)?_[\d.]+' not found\b/,
      /\bundefined symbol: \w+/i,
      /\bexecutable file not found in \$PATH\b/i,
    ],
  },
  {
    id: 'code_error',
    title: 'Bug or syntax error in pipeline or service code',
    patterns: [
      /\bSyntaxError\b/,
      /\bIndentationError\b/,
      /\bBroken DAG\b/i,
      /\bNameError: name '\w+' is not defined\b/,
      /\bAttributeError: '?[\w.]+'? object has no attribute\b/,
      /\bTypeError: [^\n]*(?:unexpected keyword argument|missing \d+ required positional argument|not callable|not subscriptable)\b/,
    ],
  },
  {
    id: 'upstream_task_failed',
    title: 'An upstream task or stage failed first',
    patterns: [
      /\bupstream_failed\b/i,
      /\bupstream task(?:\(s\)|s)? (?:have |has )?failed\b/i,
      /\bdid not reach a ['"]?COMPLETED['"]? state\b/i,
      /\bdependencies not met\b/i,
    ],
  },
  {
    id: 'port_in_use',
    title: 'Port already in use',
    patterns: [
      /\bAddress already in use\b/i,
      /\bEADDRINUSE\b/,
      /\bport \d+ is already (?:in use|allocated)\b/i,
    ],
  },
  {
    id: 'metrics_unavailable',
    title: 'Metrics could not be scraped or read',
    patterns: [
      /\bunable to (?:get|fetch) metrics\b/i,
      /\bfailed to get (?:cpu|memory) utilization\b/i,
      /\bmissing request for (?:cpu|memory)\b/i,
      /\bmetrics\.k8s\.io\b[^\n]*\b(?:unavailable|not available|unable to handle)\b/i,
      /\bunable to handle the request \(get (?:pods|nodes)\.metrics\.k8s\.io\)/i,
      /\bserver returned HTTP status \d{3}\b/i,
    ],
  },
  {
    id: 'permission_denied',
    title: 'Permission or credentials denied',
    patterns: [
      /\bpermission denied\b/i,
      /\bPermissionError\b/,
      /\bEACCES\b/,
      /\bOperation not permitted\b/i,
      /(?<!pull )\baccess denied\b/i,
      /\bis forbidden: User "[^"]+" cannot\b/i,
      /\b403 Forbidden\b/i,
      /\b401 Unauthorized\b/i,
      /\bUnable to locate credentials\b/i,
      /\bNoCredentialsError\b/,
      /\bInvalidAccessKeyId\b/,
      /\bExpiredToken(?:Exception)?\b/,
      /\bSignatureDoesNotMatch\b/,
    ],
  },
  {
    id: 'upstream_api_error',
    title: 'An upstream API returned an error',
    patterns: [
      /\b502 Bad Gateway\b/i,
      /\b503 Service (?:Unavailable|Temporarily Unavailable)\b/i,
      /\b5\d\d Server Error\b/i,
      /\bupstream connect error\b/i,
      /\bno healthy upstream\b/i,
      /\b429 Too Many Requests\b/i,
      /\brate limit(?:ed| exceeded)\b/i,
      /\b(?:external|upstream|source) API (?:is )?(?:down|unavailable|returned an? (?:error|5\d\d))\b/i,
    ],
  },
  {
    id: 'timeout',
    title: 'Timed out',
    patterns: [
      /\btimed out\b/i,
      /\bTimeoutError\b/,
      /\b(?:Read|Connect|Pool)Timeout(?:Error)?\b/,
      /\bdeadline exceeded\b/i,
      /\bDeadlineExceeded\b/,
      /\bGateway Time-?out\b/i,
      /\bAirflowTaskTimeout\b/,
      /\bexceeded (?:its |the )?(?:progress deadline|timeout)\b/i,
      /\bWORKER TIMEOUT\b/i,
      /\bETIMEDOUT\b/,
      /\bi\/o timeout\b/i,
    ],
  },
  {
    id: 'network_error',
    title: 'Network or DNS failure',
    patterns: [
      /\bConnection refused\b/i,
      /\bConnectionRefusedError\b/,
      /\bECONNREFUSED\b/,
      /\bECONNRESET\b/,
      /\bConnection reset by peer\b/i,
      /\bName or service not known\b/i,
      /\bTemporary failure in name resolution\b/i,
      /\bCould not resolve host\b/i,
      /\bno such host\b/i,
      /\bENOTFOUND\b/,
      /\bEAI_AGAIN\b/,
      /\bNo route to host\b/i,
      /\bNetwork is unreachable\b/i,
      /\bEHOSTUNREACH\b/,
      /\bNewConnectionError\b/,
      /\brequests\.exceptions\.ConnectionError\b/,
      /\bCERTIFICATE_VERIFY_FAILED\b/,
    ],
  },
];

const FAILURE_CLASS_BY_ID: ReadonlyMap<FailureClass, FailureClassDefinition> =
  new Map(FAILURE_CLASSES.map(c => [c.id, c]));

/**
 * Looks up a failure class definition by id.
 *
 * @public
 */
export function getFailureClass(id: FailureClass): FailureClassDefinition {
  const found = FAILURE_CLASS_BY_ID.get(id);
  if (!found) {
    // Only reachable if FAILURE_CLASSES and FAILURE_CLASS_IDS drift apart,
    // which the tests guard against.
    throw new Error(`Unknown failure class ${id}`);
  }
  return found;
}

/**
 * True when the string is one of the known failure class ids.
 *
 * @public
 */
export function isFailureClass(value: string): value is FailureClass {
  return (FAILURE_CLASS_IDS as readonly string[]).includes(value);
}

/**
 * Sorts an error message, log line or block of log output into failure
 * classes.
 *
 * Returns every class whose patterns match, most specific first (the order of
 * {@link FAILURE_CLASS_IDS}), without duplicates. An empty array means the
 * text was not recognised; the function never guesses a class.
 *
 * @public
 */
export function classifyFailureReason(text: string): FailureClass[] {
  if (!text || !text.trim()) {
    return [];
  }
  return FAILURE_CLASSES.filter(c => c.patterns.some(p => p.test(text))).map(
    c => c.id,
  );
}
