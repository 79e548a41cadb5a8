// The least a page of this UI can load: React and Fluent UI's provider and theme with one
// button and one line of text. make bench builds it as the floor of the first page's size.
import { Button, FluentProvider, Text, webLightTheme } from "@fluentui/react-components";
import { createRoot } from "react-dom/client";

const root = document.getElementById("root");
if (!root) throw new Error("floor.html has no #root element");
createRoot(root).render(
  <FluentProvider theme={webLightTheme}>
    <Text>Microsoft Teams is not connected.</Text>
    <Button appearance="primary">Connect</Button>
  </FluentProvider>,
);
