// LoadTimeline: the store's reads behind the timeline (app/timeline.h).
#include "app/timeline.h"

namespace ordo::app {

Result<Timeline> LoadTimeline(Store& store, std::string_view external_id, Micros now,
                              Micros revert_window) {
  ORDO_ASSIGN_OR_RETURN(ApplyView view, LoadApplyView(store, external_id));
  ORDO_ASSIGN_OR_RETURN(std::vector<EventRecord> events, store.ListEvents(view.apply.id));
  return BuildTimeline(view, events, now, revert_window);
}

}  // namespace ordo::app
