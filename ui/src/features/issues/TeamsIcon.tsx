import { bundleIcon, PeopleTeam20Filled, PeopleTeam20Regular } from "@fluentui/react-icons";

/** The Teams button's icon (Fluent's team glyph; Microsoft's logo is not ours to ship). */
export const TeamsIcon = bundleIcon(PeopleTeam20Filled, PeopleTeam20Regular);
