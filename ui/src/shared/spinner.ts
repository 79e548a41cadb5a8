// Fluent's spinner on its own, for Loading to load when a wait becomes noticeable.
export { Spinner } from "@fluentui/react-components";
