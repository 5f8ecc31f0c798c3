package io.sessionmirror.agent.codec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Merges two format-5 copies of one session that two servers wrote concurrently, section by section and
 * without deserializing anything: per attribute name the section (value or removal marker) with the higher
 * stamp, equal stamps going to the copy written later; the principal, auth type and timeout come whole from
 * the copy written later. So two servers that changed different attributes both keep their change; the same
 * attribute changed on both is last-writer-wins, as before.
 */
final class SectionMerge {

    final List<Section> sections;
    final int maxInactive;
    final String authType;
    final long creationTime;
    final boolean equalsStored;
    final boolean equalsIncoming;

    private SectionMerge(List<Section> sections, PayloadHeader from, List<Section> storedSections,
                         PayloadHeader stored, List<Section> incomingSections, PayloadHeader incoming) {
        this.sections = sections;
        this.maxInactive = from.maxInactive;
        this.authType = from.authType;
        this.creationTime = from.creationTime;
        this.equalsStored = same(storedSections, stored);
        this.equalsIncoming = same(incomingSections, incoming);
    }

    static SectionMerge merge(PayloadHeader stored, List<Section> storedSections, PayloadHeader incoming,
                              List<Section> incomingSections) {
        // Written in the same millisecond: the write id decides, so that two replicas that receive the two copies in
        // opposite orders still make the same choice (else they would hold different sessions under one version).
        boolean incomingLater = incoming.writtenAt != stored.writtenAt ? incoming.writtenAt > stored.writtenAt
                : incoming.writeId >= stored.writeId;
        List<Section> out = new ArrayList<>(Math.max(storedSections.size(), incomingSections.size()) + 1);
        List<Section> markers = new ArrayList<>(0);
        int i = 0;
        int j = 0;
        while (i < storedSections.size() || j < incomingSections.size()) {
            Section s = i < storedSections.size() ? storedSections.get(i) : null;
            Section n = j < incomingSections.size() ? incomingSections.get(j) : null;
            if (s != null && s.kind == Section.PRINCIPAL || n != null && n.kind == Section.PRINCIPAL) {
                // Principals are taken below, from the later copy as a whole.
                i += s != null && s.kind == Section.PRINCIPAL ? 1 : 0;
                j += n != null && n.kind == Section.PRINCIPAL ? 1 : 0;
                continue;
            }
            int c = s == null ? 1 : n == null ? -1 : s.name.compareTo(n.name);
            Section chosen;
            if (c < 0) {
                chosen = s;
                i++;
            } else if (c > 0) {
                chosen = n;
                j++;
            } else {
                chosen = s.stamp > n.stamp || s.stamp == n.stamp && !incomingLater ? s : n;
                i++;
                j++;
            }
            (chosen.live() ? out : markers).add(chosen);
        }
        Section principal = principalOf(incomingLater ? incomingSections : storedSections);
        if (principal != null) {
            out.add(principal);
        }
        out.addAll(SectionEncoder.newest(markers));
        Collections.sort(out);
        return new SectionMerge(Collections.unmodifiableList(out), incomingLater ? incoming : stored,
                storedSections, stored, incomingSections, incoming);
    }

    private static Section principalOf(List<Section> sections) {
        for (Section s : sections) {
            if (s.kind == Section.PRINCIPAL) {
                return s;
            }
        }
        return null;
    }

    /** Whether the merge is exactly that copy's content: nothing of the other copy is newer. */
    private boolean same(List<Section> copy, PayloadHeader header) {
        if (copy.size() != sections.size() || header.maxInactive != maxInactive
                || !Objects.equals(header.authType, authType)) {
            return false;
        }
        for (int k = 0; k < copy.size(); k++) {
            if (!copy.get(k).sameAs(sections.get(k))) {
                return false;
            }
        }
        return true;
    }
}
