import {
  Badge,
  Body1,
  Caption1,
  Checkbox,
  Dropdown,
  Input,
  Option,
  SearchBox,
  Spinner,
  Tab,
  TabList,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useMemo, useState } from "react";

import type { Channel } from "../../../bindings/Channel";
import type { Chat } from "../../../bindings/Chat";
import type { Freshness } from "../../../bindings/Freshness";
import type { Listing } from "../../../bindings/Listing";
import type { Person } from "../../../bindings/Person";
import type { Recipient } from "../../../bindings/Recipient";
import type { Team } from "../../../bindings/Team";
import { commands } from "../../../ipc/commands";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minHeight: 0 },
  list: {
    display: "flex",
    flexDirection: "column",
    height: "220px",
    overflowY: "auto",
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingVerticalXS,
  },
  item: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalXS },
  secondary: { color: tokens.colorNeutralForeground3 },
  note: { color: tokens.colorNeutralForeground3, padding: tokens.spacingHorizontalS },
  stale: { color: tokens.colorPaletteMarigoldForeground2 },
});

type Loading<T> = { state: "idle" } | { state: "loading"; items?: T[] } | { state: "ready"; listing: Listing<T> } | { state: "failed"; message: string };

type Fetch<T> = (freshness: Freshness) => Promise<Listing<T>>;

/** Shows the cached list at once, then asks Microsoft for a fresh one. */
function useListing<T>(fetch: Fetch<T> | null): Loading<T> {
  const [result, setResult] = useState<{ of: Fetch<T> | null; loaded: Loading<T> }>({ of: null, loaded: { state: "idle" } });
  useEffect(() => {
    if (fetch === null) return;
    let current = true;
    const ready = (listing: Listing<T>) => current && setResult({ of: fetch, loaded: { state: "ready", listing } });
    fetch("cached")
      .then((listing) => listing.items.length > 0 && ready(listing), () => undefined)
      .finally(() =>
        fetch("recent").then(ready, (error: Error) => {
          if (!current) return;
          // A cached list stays on screen; the failure shows only when there is nothing.
          setResult((now) =>
            now.of === fetch && now.loaded.state === "ready" ? now : { of: fetch, loaded: { state: "failed", message: error.message } },
          );
        }),
      );
    return () => {
      current = false;
    };
  }, [fetch]);
  if (fetch === null) return { state: "idle" };
  return result.of === fetch ? result.loaded : { state: "loading" };
}

function Status<T>(props: { loaded: Loading<T>; empty: string }) {
  const styles = useStyles();
  const { loaded } = props;
  if (loaded.state === "loading") return <Spinner size="tiny" label="Asking Microsoft Teams…" />;
  if (loaded.state === "failed") return <Caption1 className={styles.stale}>{loaded.message}</Caption1>;
  if (loaded.state === "ready" && loaded.listing.items.length === 0) return <Caption1 className={styles.note}>{props.empty}</Caption1>;
  if (loaded.state === "ready" && loaded.listing.stale_because)
    return <Caption1 className={styles.stale}>Showing the list from earlier: {loaded.listing.stale_because}</Caption1>;
  return null;
}

const KIND_BADGE: Record<Channel["kind"], string | null> = { standard: null, private: "Private", shared: "Shared" };

function Channels(props: { chosen: Set<string>; onToggle: (r: Recipient) => void }) {
  const styles = useStyles();
  const teams = useListing<Team>(commands.listTeams);
  const [teamId, setTeamId] = useState<string | null>(null);
  const teamList = teams.state === "ready" ? teams.listing.items : [];
  const team = teamList.find((t) => t.id === teamId) ?? null;
  const fetchChannels = useMemo(
    () => (teamId === null ? null : (f: Freshness) => commands.listChannels(teamId, f)),
    [teamId],
  );
  const channels = useListing<Channel>(fetchChannels);
  return (
    <div className={styles.root}>
      <Dropdown
        placeholder={teams.state === "loading" ? "Loading your teams…" : "Choose a team"}
        aria-label="Team"
        value={team?.name ?? ""}
        selectedOptions={teamId ? [teamId] : []}
        onOptionSelect={(_, data) => setTeamId(data.optionValue ?? null)}
        data-testid="team-picker"
      >
        {teamList.map((t) => (
          <Option key={t.id} value={t.id} text={t.name}>
            {t.name}
          </Option>
        ))}
      </Dropdown>
      <Status loaded={teams} empty="You are not a member of any team." />
      <div className={styles.list} role="group" aria-label="Channels">
        {teamId === null && <Caption1 className={styles.note}>Choose a team to see its channels.</Caption1>}
        {team !== null &&
          channels.state === "ready" &&
          channels.listing.items.map((channel) => {
            const { recipient } = channel;
            const badge = KIND_BADGE[channel.kind];
            return (
              <div key={channel.id} className={styles.item}>
                <Checkbox
                  checked={props.chosen.has(recipient.key)}
                  onChange={() => props.onToggle(recipient)}
                  label={channel.name}
                  data-testid="channel-option"
                />
                {badge && (
                  <Badge appearance="outline" size="small" color={channel.kind === "private" ? "important" : "informative"}>
                    {badge}
                  </Badge>
                )}
              </div>
            );
          })}
        {teamId !== null && <Status loaded={channels} empty="This team has no channel you can see." />}
      </div>
    </div>
  );
}

function People(props: { chosen: Set<string>; onToggle: (r: Recipient) => void }) {
  const styles = useStyles();
  const [query, setQuery] = useState("");
  const [searched, setSearched] = useState("");
  // Searched as the person types, a moment after the last key, over the whole directory.
  useEffect(() => {
    const timer = setTimeout(() => setSearched(query.trim()), 300);
    return () => clearTimeout(timer);
  }, [query]);
  const fetchPeople = useMemo(
    () => (searched.length < 2 ? null : (f: Freshness) => commands.searchPeople(searched, f)),
    [searched],
  );
  const people = useListing<Person>(fetchPeople);
  return (
    <div className={styles.root}>
      <SearchBox
        placeholder="Search people by name or email"
        value={query}
        onChange={(_, data) => setQuery(data.value)}
        aria-label="Search people"
        data-testid="people-search"
      />
      <div className={styles.list} role="group" aria-label="People">
        {fetchPeople === null && <Caption1 className={styles.note}>Type at least two letters of a name or address.</Caption1>}
        {people.state === "ready" &&
          people.listing.items.map((person) => {
            const { recipient } = person;
            return (
              <div key={person.id} className={styles.item}>
                <Checkbox
                  checked={props.chosen.has(recipient.key)}
                  onChange={() => props.onToggle(recipient)}
                  label={
                    <>
                      <Body1>{person.name || person.mail}</Body1>{" "}
                      <Caption1 className={styles.secondary}>
                        {person.mail}
                        {person.job_title && ` · ${person.job_title}`}
                      </Caption1>
                    </>
                  }
                  data-testid="person-option"
                />
              </div>
            );
          })}
        {fetchPeople !== null && <Status loaded={people} empty={`Nobody in the directory matches “${query.trim()}”.`} />}
      </div>
    </div>
  );
}

function Chats(props: { chosen: Set<string>; onToggle: (r: Recipient) => void }) {
  const styles = useStyles();
  const chats = useListing<Chat>(commands.listChats);
  const [text, setText] = useState("");
  const shown =
    chats.state === "ready"
      ? chats.listing.items.filter((c) => c.title.toLowerCase().includes(text.trim().toLowerCase()))
      : [];
  return (
    <div className={styles.root}>
      <Input placeholder="Filter your chats" value={text} onChange={(_, data) => setText(data.value)} aria-label="Filter chats" />
      <div className={styles.list} role="group" aria-label="Chats">
        {shown.map((chat) => {
          const { recipient } = chat;
          return (
            <div key={chat.id} className={styles.item}>
              <Checkbox
                checked={props.chosen.has(recipient.key)}
                onChange={() => props.onToggle(recipient)}
                label={chat.title || "(untitled chat)"}
              />
              <Badge appearance="outline" size="small" color="informative">
                {chat.kind === "one_on_one" ? "1:1" : "Group"}
              </Badge>
            </div>
          );
        })}
        <Status loaded={chats} empty="You have no chats yet." />
      </div>
    </div>
  );
}

type Kind = "channels" | "people" | "chats";

const KIND_LABEL: Record<Kind, string> = { channels: "Channels", people: "People", chats: "Chats" };

/** Channels of your teams, people from the directory, and your existing chats (or just the
 * `kinds` given, in that order). */
export function RecipientPicker(props: { chosen: Recipient[]; onToggle: (recipient: Recipient) => void; kinds?: Kind[] }) {
  const kinds: Kind[] = props.kinds ?? ["channels", "people", "chats"];
  const first = kinds[0] ?? "channels";
  const [picked, setTab] = useState<Kind>(first);
  const tab = kinds.includes(picked) ? picked : first;
  const chosen = new Set(props.chosen.map((r) => r.key));
  return (
    <div>
      <TabList selectedValue={tab} onTabSelect={(_, data) => setTab(data.value as Kind)} size="small">
        {kinds.map((kind) => (
          <Tab key={kind} value={kind} data-testid={`tab-${kind}`}>
            {KIND_LABEL[kind]}
          </Tab>
        ))}
      </TabList>
      {tab === "channels" && <Channels chosen={chosen} onToggle={props.onToggle} />}
      {tab === "people" && <People chosen={chosen} onToggle={props.onToggle} />}
      {tab === "chats" && <Chats chosen={chosen} onToggle={props.onToggle} />}
    </div>
  );
}
