// The least the app's first page can load with Fluent UI: React, Fluent's provider and both
// themes, and one of each Fluent component the Connectors page shows when it opens (navigation
// tabs with their icons, breadcrumb, card, tabs, badge, button, table, text), none of the app's
// own code. What the page loads only on demand (dialogs, the sign-in wait, the spinner) is not
// here. bench-ui.mjs weighs it beside the app's first page.
import {
  Badge,
  Body1,
  Breadcrumb,
  BreadcrumbButton,
  BreadcrumbDivider,
  BreadcrumbItem,
  Button,
  Caption1,
  Card,
  FluentProvider,
  Subtitle1,
  Subtitle2,
  Tab,
  TabList,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title2,
  webDarkTheme,
  webLightTheme,
} from "@fluentui/react-components";
import { Bot24Regular, Open16Regular, Person24Regular, Settings20Regular } from "@fluentui/react-icons";
import { createRoot } from "react-dom/client";

import { PAGES } from "../src/app/routes";

const root = document.getElementById("root");
if (!root) throw new Error("floor-components.html has no #root element");
const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
createRoot(root).render(
  <FluentProvider theme={dark ? webDarkTheme : webLightTheme}>
    <TabList vertical aria-label="Pages">
      {PAGES.map(({ page, label, icon: Icon }) => (
        <Tab key={page} value={page} icon={<Icon />}>
          {label}
        </Tab>
      ))}
    </TabList>
    <Breadcrumb aria-label="Location" size="small">
      <BreadcrumbItem>
        <BreadcrumbButton>Settings</BreadcrumbButton>
      </BreadcrumbItem>
      <BreadcrumbDivider />
      <BreadcrumbItem>
        <BreadcrumbButton current>Microsoft Teams</BreadcrumbButton>
      </BreadcrumbItem>
    </Breadcrumb>
    <Title2 as="h1">Microsoft Teams</Title2>
    <Body1>Receive security alerts in Microsoft Teams.</Body1>
    <Card>
      <Subtitle1 as="h2">Connection</Subtitle1>
      <Badge appearance="tint">Not connected</Badge>
      <TabList aria-label="Connection method">
        <Tab value="identity" icon={<Person24Regular />}>
          IDENTITY PROVIDER
        </Tab>
        <Tab value="bot" icon={<Bot24Regular />}>
          BOT IDENTITY PROVIDER
        </Tab>
      </TabList>
      <Subtitle2 as="h3">Before you connect</Subtitle2>
      <Text>A Microsoft Teams account in your organisation.</Text>
      <Button icon={<Settings20Regular />}>Change in Settings</Button>
      <Button appearance="primary">CONNECT</Button>
    </Card>
    <Table aria-label="Permission scopes">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Permission</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        <TableRow>
          <TableCell>
            ChannelMessage.Send <Open16Regular />
          </TableCell>
        </TableRow>
      </TableBody>
    </Table>
    <Caption1>Version 0.1.0</Caption1>
  </FluentProvider>,
);
