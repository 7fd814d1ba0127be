/* fa_relations.render: hovering, focusing or clicking a triple highlights its arguments in the text.
   Installed once per page (event delegation), so later renderings in the same page work too. */
(function () {
  if (window.faRelationsRender) { return; }
  window.faRelationsRender = true;
  var ROLES = [["data-subj", "fa-hl-subj"], ["data-obj", "fa-hl-obj"], ["data-ev", "fa-hl-ev"]];
  function targets(li, attr) {
    var root = li.closest(".fa-doc");
    var ids = (li.getAttribute(attr) || "").split(" ").filter(Boolean);
    var out = [];
    ids.forEach(function (id) {
      root.querySelectorAll('.fa-text [data-ids~="' + id + '"]').forEach(function (el) { out.push(el); });
    });
    return out;
  }
  function show(li, on) {
    ROLES.forEach(function (role) {
      targets(li, role[0]).forEach(function (el) { el.classList.toggle(role[1], on); });
    });
    li.classList.toggle("fa-active", on);
  }
  function tripleOf(event) {
    return event.target && event.target.closest ? event.target.closest(".fa-render .fa-triple") : null;
  }
  document.addEventListener("mouseover", function (e) { var li = tripleOf(e); if (li) { show(li, true); } });
  document.addEventListener("focusin", function (e) { var li = tripleOf(e); if (li) { show(li, true); } });
  function leave(e) {
    var li = tripleOf(e);
    if (li && !li.contains(e.relatedTarget) && !li.classList.contains("fa-pinned")) { show(li, false); }
  }
  document.addEventListener("mouseout", leave);
  document.addEventListener("focusout", leave);
  document.addEventListener("click", function (e) {
    var li = tripleOf(e);
    if (!li) { return; }
    var pinned = li.classList.toggle("fa-pinned");
    show(li, pinned);
    var first = pinned ? targets(li, "data-subj")[0] : null;
    if (first && first.scrollIntoView) { first.scrollIntoView({ block: "nearest" }); }
  });
})();
