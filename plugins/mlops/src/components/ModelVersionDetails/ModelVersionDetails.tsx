import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Dialog from '@material-ui/core/Dialog';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';

/** One column or tensor of a model signature. */
export interface SignatureField {
  name?: string;
  type: string;
  required?: boolean;
}

/** `GET /models/:name/versions/:version/logged-model`. */
export interface ModelVersionFiles {
  artifactUri: string;
  stored: boolean;
  found: boolean;
  flavors?: Array<{ name: string; details: Record<string, string> }>;
  signature?: { inputs: SignatureField[]; outputs: SignatureField[] };
  inputExample?: { text: string; truncated: boolean; type?: string };
  mlflowVersion?: string;
  runId?: string;
  createdAt?: string;
}

const useStyles = makeStyles(theme => ({
  chip: { marginRight: theme.spacing(0.5), marginBottom: theme.spacing(0.5) },
  pre: {
    margin: 0,
    padding: theme.spacing(1),
    background: theme.palette.background.default,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
    fontSize: '0.8rem',
    maxHeight: 240,
    overflow: 'auto',
  },
}));

/** The example pretty-printed when it is JSON, as it is otherwise. */
export function formatInputExample(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function SignatureTable(props: { title: string; fields: SignatureField[] }) {
  if (props.fields.length === 0) return null;
  return (
    <Table size="small" aria-label={props.title}>
      <TableHead>
        <TableRow>
          <TableCell>{props.title}</TableCell>
          <TableCell>Type</TableCell>
          <TableCell>Required</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.fields.map((field, i) => (
          <TableRow key={`${field.name ?? ''}:${i}`}>
            <TableCell>{field.name ?? `#${i}`}</TableCell>
            <TableCell>{field.type}</TableCell>
            <TableCell>
              {field.required === undefined ? '' : String(field.required)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * What a model version's logged model holds, from its MLmodel file: the
 * flavors it can be loaded as, its signature and its input example.
 */
export function ModelVersionDetails(props: { model: string; version: number }) {
  const classes = useStyles();
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const state = useAsync(async () => {
    const base = await discoveryApi.getBaseUrl('mlops');
    const response = await fetchApi.fetch(
      `${base}/models/${encodeURIComponent(props.model)}/versions/${
        props.version
      }/logged-model`,
    );
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as ModelVersionFiles;
  }, [props.model, props.version]);

  if (state.loading) return <Progress />;
  if (state.error) return <ResponseErrorPanel error={state.error} />;
  const files = state.value!;
  if (!files.stored || !files.found) {
    return (
      <EmptyState
        missing="data"
        title="No model files in the portal"
        description={
          files.stored
            ? `No MLmodel file at ${files.artifactUri}.`
            : `This version's files are kept outside the portal (${files.artifactUri}).`
        }
      />
    );
  }
  return (
    <Box>
      <Typography variant="caption" color="textSecondary">
        {files.artifactUri}
        {files.mlflowVersion && ` · logged with MLflow ${files.mlflowVersion}`}
      </Typography>
      <Box mt={1}>
        <Typography variant="subtitle2">Flavors</Typography>
        {(files.flavors ?? []).map(flavor => (
          <Tooltip
            key={flavor.name}
            title={Object.entries(flavor.details)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', ')}
          >
            <Chip size="small" label={flavor.name} className={classes.chip} />
          </Tooltip>
        ))}
      </Box>
      <Box mt={2}>
        <Typography variant="subtitle2">Signature</Typography>
        {files.signature ? (
          <>
            <SignatureTable title="Inputs" fields={files.signature.inputs} />
            <SignatureTable title="Outputs" fields={files.signature.outputs} />
          </>
        ) : (
          <Typography variant="body2" color="textSecondary">
            Logged without a signature.
          </Typography>
        )}
      </Box>
      {files.inputExample && (
        <Box mt={2}>
          <Typography variant="subtitle2">
            Input example
            {files.inputExample.type && ` (${files.inputExample.type})`}
          </Typography>
          <pre className={classes.pre}>
            {formatInputExample(files.inputExample.text)}
            {files.inputExample.truncated && '\n…'}
          </pre>
        </Box>
      )}
    </Box>
  );
}

/** A "Model" button for a version's row that opens {@link ModelVersionDetails}. */
export function ModelVersionDetailsButton(props: {
  model: string;
  version: number;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        size="small"
        aria-label={`Model files of version ${props.version}`}
        onClick={() => setOpen(true)}
      >
        Model
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        maxWidth="md"
        fullWidth
      >
        <DialogTitle>
          {props.model} v{props.version}
        </DialogTitle>
        <DialogContent>
          {open && (
            <ModelVersionDetails model={props.model} version={props.version} />
          )}
        </DialogContent>
      </Dialog>
    </>
  );
}
