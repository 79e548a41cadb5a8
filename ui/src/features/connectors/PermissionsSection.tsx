import {
  Badge,
  Body1,
  Button,
  MessageBar,
  MessageBarBody,
  Subtitle1,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Open16Regular } from "@fluentui/react-icons";

import type { PermissionReport } from "../../bindings/PermissionReport";
import type { TenantRecords as Records } from "../../bindings/TenantRecords";
import { commands } from "../../ipc/commands";
import { Loading } from "../../shared/Loading";
import { useCommand } from "../../shared/useCommand";

const useStyles = makeStyles({
  section: { marginTop: tokens.spacingVerticalXXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  header: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
  grow: { flexGrow: 1 },
  scope: { fontFamily: tokens.fontFamilyMonospace, whiteSpace: "nowrap" },
  muted: { color: tokens.colorNeutralForeground3 },
  records: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalL,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  optional: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM },
});

/** Requested versus granted for the nine permissions, and what the tenant itself records. */
export function PermissionsSection(props: { revision: number; onAskForMissing: (missing: string[]) => void; busy: boolean }) {
  const styles = useStyles();
  // Reloaded whenever the connection changed.
  const report = useCommand(commands.permissionReport, props.revision);

  return (
    <section className={styles.section} aria-labelledby="permissions-heading" data-testid="permissions">
      <div className={styles.header}>
        <Subtitle1 as="h2" id="permissions-heading" className={styles.grow}>
          Permissions
        </Subtitle1>
        {report.state === "ready" && <Summary report={report.data} />}
      </div>
      <Body1 className={styles.muted}>
        What OX Teams Connector asks Microsoft for, why, and what Microsoft granted this connection.
      </Body1>
      {report.state === "loading" && <Loading size="small" />}
      {report.state === "failed" && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>{report.message}</MessageBarBody>
        </MessageBar>
      )}
      {report.state === "ready" && (
        <>
          {report.data.missing.length > 0 && (
            <MessageBar intent="warning" layout="multiline" data-testid="permissions-missing">
              <MessageBarBody>
                Not granted: {report.data.missing.join(", ")}. The table says what stops working without
                each.{" "}
                <Button size="small" disabled={props.busy} onClick={() => props.onAskForMissing(report.data.missing)} data-testid="ask-missing">
                  Ask for the missing permissions
                </Button>
              </MessageBarBody>
            </MessageBar>
          )}
          <ScopeTable report={report.data} />
          <OptionalScopes report={report.data} busy={props.busy} onAsk={props.onAskForMissing} />
          <TenantRecords records={report.data.tenant_records} adminCenter={report.data.admin_center_url} />
        </>
      )}
    </section>
  );
}

/** Permissions nothing needs, offered with what they add; asked for one at a time. */
function OptionalScopes(props: { report: PermissionReport; busy: boolean; onAsk: (scopes: string[]) => void }) {
  const styles = useStyles();
  if (props.report.optional.length === 0) return null;
  return (
    <div className={styles.records} data-testid="optional-permissions">
      <Subtitle2 as="h3">Optional</Subtitle2>
      {props.report.optional.map(({ scope, granted }) => (
        <div key={scope.name} className={styles.optional}>
          <span className={styles.grow}>
            <Body1 className={styles.scope}>{scope.name}</Body1>
            {scope.admin_consent && <Body1 className={styles.muted}> · needs an administrator</Body1>}
            <br />
            <Body1>{scope.reason}</Body1>
            {granted !== true && (
              <>
                <br />
                <Body1 className={styles.muted}>Not granted: {scope.without_it}</Body1>
              </>
            )}
          </span>
          {granted === true ? (
            <Badge appearance="tint" color="success">
              Granted
            </Badge>
          ) : (
            <Button
              size="small"
              disabled={props.busy || !props.report.connected}
              onClick={() => props.onAsk([scope.name])}
              data-testid={`ask-${scope.name}`}
            >
              Ask for it
            </Button>
          )}
        </div>
      ))}
    </div>
  );
}

function Summary(props: { report: PermissionReport }) {
  const { report } = props;
  if (!report.connected) {
    const known = report.permissions.some((p) => p.granted !== null);
    return known ? (
      <Badge appearance="tint" color="danger">Connection not working</Badge>
    ) : (
      <Badge appearance="outline" color="informative">Not connected</Badge>
    );
  }
  const granted = report.permissions.filter((p) => p.granted).length;
  return (
    <Badge appearance="tint" color={granted === report.permissions.length ? "success" : "warning"} data-testid="permissions-summary">
      {granted} of {report.permissions.length} granted
    </Badge>
  );
}

function ScopeTable(props: { report: PermissionReport }) {
  const styles = useStyles();
  return (
    <Table aria-label="Permission scopes" data-testid="permission-scopes">
      <TableHeader>
        <TableRow>
          <TableHeaderCell style={{ width: "21%" }}>Permission</TableHeaderCell>
          <TableHeaderCell>What it allows and why</TableHeaderCell>
          <TableHeaderCell style={{ width: "25%" }}>Without it</TableHeaderCell>
          <TableHeaderCell style={{ width: "13%" }}>Consent</TableHeaderCell>
          <TableHeaderCell style={{ width: "12%" }}>Granted</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {props.report.permissions.map(({ scope, granted }) => (
          <TableRow key={scope.name} data-testid={`permission-${scope.name}`}>
            <TableCell className={styles.scope}>{scope.name}</TableCell>
            <TableCell>
              {scope.grants} {scope.reason}
            </TableCell>
            <TableCell className={styles.muted}>{scope.without_it}</TableCell>
            <TableCell>
              {scope.admin_consent ? (
                <Badge appearance="tint" color="warning">Admin</Badge>
              ) : (
                <Badge appearance="tint" color="subtle">You</Badge>
              )}
            </TableCell>
            <TableCell data-testid="granted">
              {granted === null ? (
                <span className={styles.muted}>—</span>
              ) : granted ? (
                <Badge appearance="tint" color="success">Granted</Badge>
              ) : (
                <Badge appearance="tint" color="danger">Not granted</Badge>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function TenantRecords(props: { records: Records; adminCenter: string | null }) {
  const styles = useStyles();
  const { records } = props;
  return (
    <div className={styles.records} data-testid="tenant-records">
      <Subtitle2 as="h3">In your tenant</Subtitle2>
      {records.state === "found" && (
        <>
          <Body1>
            Enterprise application <strong>{records.display_name}</strong> has these consents:
          </Body1>
          <ul className={styles.list}>
            {records.grants.map((grant, index) => (
              <li key={index}>
                <Body1>
                  {grant.consent_type === "AllPrincipals" ? "An administrator, for everyone" : (grant.principal ?? "One person")}:{" "}
                  <span className={styles.scope}>{grant.scopes.join(" ")}</span>
                </Body1>
              </li>
            ))}
          </ul>
        </>
      )}
      {records.state === "missing" && <Body1>The tenant has no enterprise application for this client ID yet; it appears after the first consent.</Body1>}
      {records.state === "unavailable" && <Body1 className={styles.muted}>{records.reason}</Body1>}
      {props.adminCenter ? (
        <div>
          <Button icon={<Open16Regular />} onClick={() => void commands.openAdminCenter()}>
            Open the app's permissions in the admin center
          </Button>
        </div>
      ) : (
        <Body1 className={styles.muted}>This cloud has no admin center the app knows of.</Body1>
      )}
    </div>
  );
}
