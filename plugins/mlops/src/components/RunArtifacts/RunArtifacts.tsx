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
import Breadcrumbs from '@material-ui/core/Breadcrumbs';
import Button from '@material-ui/core/Button';
import Link from '@material-ui/core/Link';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import FolderIcon from '@material-ui/icons/Folder';
import FileIcon from '@material-ui/icons/InsertDriveFile';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';

/** One entry of a run's artifact folder, as `GET /runs/:id/artifacts` lists it. */
export interface RunArtifactFile {
  path: string;
  isDir: boolean;
  size?: number;
}

/** A dataset a run logged (`runs/log-inputs`). */
export interface RunDatasetInput {
  dataset: {
    name: string;
    digest: string;
    sourceType: string;
    source: string;
    schema?: string;
    profile?: string;
  };
  tags: Record<string, string>;
}

/** Largest file the preview reads; bigger ones are only offered for download. */
const PREVIEW_LIMIT_BYTES = 2 * 1024 * 1024;
const CSV_PREVIEW_ROWS = 20;
const TEXT_PREVIEW_CHARS = 20_000;

const useStyles = makeStyles(theme => ({
  layout: { display: 'flex', gap: theme.spacing(2), minHeight: 240 },
  list: { minWidth: 260, maxHeight: 480, overflow: 'auto' },
  preview: { flex: 1, minWidth: 0, overflow: 'auto', maxHeight: 480 },
  pre: {
    margin: 0,
    padding: theme.spacing(1),
    background: theme.palette.background.default,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
    fontSize: '0.8rem',
  },
  image: { maxWidth: '100%', maxHeight: 440 },
}));

/** `1536` → `1.5 KB`. */
export function formatBytes(bytes?: number): string {
  if (bytes === undefined) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

type PreviewKind = 'image' | 'json' | 'csv' | 'text' | 'none';

/** How a file is previewed, by its name (as the backend types it). */
export function previewKindOf(path: string): PreviewKind {
  const name = path.split('/').pop() ?? path;
  if (name === 'MLmodel') return 'text';
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1].toLowerCase() ?? '';
  if (['png', 'jpg', 'jpeg', 'gif', 'webp'].includes(extension)) return 'image';
  if (extension === 'json') return 'json';
  if (extension === 'csv') return 'csv';
  if (['txt', 'log', 'md', 'yaml', 'yml', 'py'].includes(extension))
    return 'text';
  return 'none';
}

/** The first rows of a CSV text, split on commas outside double quotes. */
export function csvRows(text: string, rows = CSV_PREVIEW_ROWS): string[][] {
  return text
    .split(/\r?\n/)
    .filter(line => line.length > 0)
    .slice(0, rows + 1)
    .map(line => {
      const cells: string[] = [];
      let current = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (c === '"' && line[i + 1] === '"' && quoted) {
          current += '"';
          i++;
        } else if (c === '"') {
          quoted = !quoted;
        } else if (c === ',' && !quoted) {
          cells.push(current);
          current = '';
        } else {
          current += c;
        }
      }
      cells.push(current);
      return cells;
    });
}

function useRunArtifactsFetch() {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  return async (
    runId: string,
    route: string,
    query: Record<string, string>,
  ) => {
    const base = await discoveryApi.getBaseUrl('mlops');
    const params = new URLSearchParams(query);
    const response = await fetchApi.fetch(
      `${base}/runs/${encodeURIComponent(runId)}/${route}?${params}`,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  };
}

function Preview(props: { runId: string; file: RunArtifactFile }) {
  const { runId, file } = props;
  const classes = useStyles();
  const load = useRunArtifactsFetch();
  const kind = previewKindOf(file.path);
  const tooLarge = (file.size ?? 0) > PREVIEW_LIMIT_BYTES;
  const [imageUrl, setImageUrl] = useState<string>();
  const state = useAsync(async () => {
    if (kind === 'none' || tooLarge) return undefined;
    const response = await load(runId, 'artifacts/content', {
      path: file.path,
    });
    if (kind === 'image') {
      return { blob: await response.blob() };
    }
    return { text: await response.text() };
  }, [runId, file.path]);
  useEffect(() => {
    const blob = state.value?.blob;
    if (!blob) return undefined;
    const url = URL.createObjectURL(blob);
    setImageUrl(url);
    return () => URL.revokeObjectURL(url);
  }, [state.value]);

  async function download() {
    const response = await load(runId, 'artifacts/content', {
      path: file.path,
    });
    const url = URL.createObjectURL(await response.blob());
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = file.path.split('/').pop() ?? 'artifact';
    anchor.click();
    URL.revokeObjectURL(url);
  }

  let body: JSX.Element;
  if (kind === 'none' || tooLarge) {
    body = (
      <Typography variant="body2" color="textSecondary">
        {tooLarge
          ? `Too large to preview (${formatBytes(file.size)}).`
          : 'No preview for this kind of file.'}
      </Typography>
    );
  } else if (state.loading) {
    body = <Progress />;
  } else if (state.error) {
    body = <ResponseErrorPanel error={state.error} />;
  } else if (kind === 'image') {
    body = imageUrl ? (
      <img className={classes.image} src={imageUrl} alt={file.path} />
    ) : (
      <Progress />
    );
  } else if (kind === 'csv') {
    const [header, ...rows] = csvRows(state.value?.text ?? '');
    body = (
      <Table size="small" aria-label={`First rows of ${file.path}`}>
        <TableHead>
          <TableRow>
            {(header ?? []).map((cell, i) => (
              <TableCell key={i}>{cell}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row, r) => (
            <TableRow key={r}>
              {row.map((cell, i) => (
                <TableCell key={i}>{cell}</TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    );
  } else {
    let text = state.value?.text ?? '';
    if (kind === 'json') {
      try {
        text = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // Shown as it is when it is not valid JSON.
      }
    }
    body = (
      <pre className={classes.pre}>
        {text.length > TEXT_PREVIEW_CHARS
          ? `${text.slice(0, TEXT_PREVIEW_CHARS)}\n…`
          : text}
      </pre>
    );
  }
  return (
    <Box>
      <Box display="flex" alignItems="center" mb={1}>
        <Typography variant="subtitle2" style={{ flex: 1 }}>
          {file.path} {file.size !== undefined && `(${formatBytes(file.size)})`}
        </Typography>
        <Button size="small" variant="outlined" onClick={download}>
          Download
        </Button>
      </Box>
      {body}
    </Box>
  );
}

/**
 * A run's artifacts as MLflow's UI shows them: folders to open, files with
 * their sizes, a preview of text, JSON, YAML, CSV (first rows) and images,
 * and downloads, all read through the MLOps backend with the signed-in
 * user's permission; and the datasets the run logged.
 */
export function RunArtifacts(props: { runId: string }) {
  const { runId } = props;
  const classes = useStyles();
  const load = useRunArtifactsFetch();
  const [folder, setFolder] = useState('');
  const [selected, setSelected] = useState<RunArtifactFile>();
  const listing = useAsync(async () => {
    const response = await load(runId, 'artifacts', { path: folder });
    return (await response.json()) as {
      rootUri: string;
      stored: boolean;
      files: RunArtifactFile[];
    };
  }, [runId, folder]);
  const inputs = useAsync(async () => {
    const response = await load(runId, 'inputs', {});
    return ((await response.json()) as { datasets: RunDatasetInput[] })
      .datasets;
  }, [runId]);

  if (listing.loading) return <Progress />;
  if (listing.error) return <ResponseErrorPanel error={listing.error} />;
  const { files = [], rootUri = '', stored = true } = listing.value ?? {};
  const segments = folder === '' ? [] : folder.split('/');

  return (
    <Box>
      <Typography variant="caption" color="textSecondary">
        {rootUri}
      </Typography>
      <Breadcrumbs aria-label="Artifact folder">
        <Link component="button" onClick={() => setFolder('')}>
          artifacts
        </Link>
        {segments.map((segment, i) => (
          <Link
            key={i}
            component="button"
            onClick={() => setFolder(segments.slice(0, i + 1).join('/'))}
          >
            {segment}
          </Link>
        ))}
      </Breadcrumbs>
      {!stored && (
        <Typography variant="body2">
          This run keeps its artifacts outside the portal ({rootUri}).
        </Typography>
      )}
      {stored && files.length === 0 && folder === '' ? (
        <EmptyState
          missing="data"
          title="No artifacts"
          description="This run has not logged any files."
        />
      ) : (
        <Box className={classes.layout}>
          <List dense className={classes.list} aria-label="Artifacts">
            {files.map(file => (
              <ListItem
                key={file.path}
                button
                selected={selected?.path === file.path}
                onClick={() =>
                  file.isDir ? setFolder(file.path) : setSelected(file)
                }
              >
                <ListItemIcon>
                  {file.isDir ? <FolderIcon /> : <FileIcon />}
                </ListItemIcon>
                <ListItemText
                  primary={file.path.split('/').pop()}
                  secondary={file.isDir ? 'folder' : formatBytes(file.size)}
                />
              </ListItem>
            ))}
          </List>
          <Box className={classes.preview}>
            {selected ? (
              <Preview runId={runId} file={selected} />
            ) : (
              <Typography variant="body2" color="textSecondary">
                Choose a file to preview it.
              </Typography>
            )}
          </Box>
        </Box>
      )}
      {inputs.value && inputs.value.length > 0 && (
        <Box mt={2}>
          <Typography variant="subtitle2">Datasets</Typography>
          <Table size="small" aria-label="Datasets">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Digest</TableCell>
                <TableCell>Context</TableCell>
                <TableCell>Source</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {inputs.value.map(input => (
                <TableRow key={`${input.dataset.name}@${input.dataset.digest}`}>
                  <TableCell>{input.dataset.name}</TableCell>
                  <TableCell>{input.dataset.digest}</TableCell>
                  <TableCell>
                    {input.tags['mlflow.data.context'] ?? ''}
                  </TableCell>
                  <TableCell>{input.dataset.sourceType}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
    </Box>
  );
}
